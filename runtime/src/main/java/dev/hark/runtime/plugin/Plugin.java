package dev.hark.runtime.plugin;

import dev.hark.api.EventListener;
import dev.hark.workflow.WorkflowDefinition;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * A loaded plugin, every rule checked.
 *
 * @param name the folder or jar name without {@code .jar}; {@value PluginLoader#CLASSPATH} for the
 *     application class path
 * @param location the folder or jar; null for the class path
 * @param version the {@code Implementation-Version} of the plugin's jar manifest (the first jar that
 *     has one, in name order), or null
 * @param listeners listener id (fully qualified class name, L1.6) to class
 * @param definitions workflow definition name to its (stateless) instance
 * @param classLoader the plugin's own loader; the runtime's loader for the class path
 */
public record Plugin(
        String name,
        Path location,
        String version,
        Map<String, Class<? extends EventListener<?, ?>>> listeners,
        Map<String, WorkflowDefinition> definitions,
        ClassLoader classLoader) {

    public Plugin {
        listeners = Map.copyOf(listeners);
        definitions = Map.copyOf(definitions);
    }

    /** @return the manifest version, if the plugin declares one */
    public Optional<String> implementationVersion() {
        return Optional.ofNullable(version);
    }

    /** @return whether this is the application class path rather than a plugin folder or jar */
    public boolean isClasspath() {
        return location == null;
    }
}
