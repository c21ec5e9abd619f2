package dev.hark.runtime.plugin;

import dev.hark.api.EventListener;
import dev.hark.workflow.WorkflowDefinition;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What {@link PluginLoader#load} found: the plugins that loaded (the class path first), the problems
 * of those that did not, and a class loader that resolves every loaded class by name.
 *
 * <pre>{@code
 * PluginSet plugins = PluginLoader.load(Path.of("plugins"), false);
 * try (Hark hark = Hark.builder().dataDir(dir).classLoader(plugins.classLoader()).open()) { ... }
 * }</pre>
 *
 * @param plugins the loaded plugins, {@value PluginLoader#CLASSPATH} first, then by name
 * @param problems every rule broken, in the order found; refused plugins are not in {@code plugins}
 * @param warnings doubtful things that do not refuse a plugin (a static mutable collection in a
 *     listener, L2.1)
 * @param classLoader resolves the runtime's classes first, then each loaded plugin's: give it to
 *     {@code Hark.builder().classLoader(...)} so that resumed workflows find plugin listeners,
 *     events and task functions
 */
public record PluginSet(
        List<Plugin> plugins, List<PluginProblem> problems, List<PluginProblem> warnings, ClassLoader classLoader)
        implements AutoCloseable {

    public PluginSet {
        plugins = List.copyOf(plugins);
        problems = List.copyOf(problems);
        warnings = List.copyOf(warnings);
    }

    /** Without warnings. */
    public PluginSet(List<Plugin> plugins, List<PluginProblem> problems, ClassLoader classLoader) {
        this(plugins, problems, List.of(), classLoader);
    }

    /** @return every loaded listener by id, across the class path and all plugins */
    public Map<String, Class<? extends EventListener<?, ?>>> listeners() {
        Map<String, Class<? extends EventListener<?, ?>>> all = new LinkedHashMap<>();
        plugins.forEach(p -> all.putAll(p.listeners()));
        return all;
    }

    /** @return the listener with this id (its fully qualified class name) */
    public Optional<Class<? extends EventListener<?, ?>>> listener(String id) {
        for (Plugin plugin : plugins) {
            Class<? extends EventListener<?, ?>> type = plugin.listeners().get(id);
            if (type != null) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }

    /** @return every loaded workflow definition by name */
    public Map<String, WorkflowDefinition> definitions() {
        Map<String, WorkflowDefinition> all = new LinkedHashMap<>();
        plugins.forEach(p -> all.putAll(p.definitions()));
        return all;
    }

    /** @return the workflow definition with this name */
    public Optional<WorkflowDefinition> definition(String name) {
        return plugins.stream()
                .map(p -> p.definitions().get(name))
                .filter(d -> d != null)
                .findFirst();
    }

    /** @return the loaded plugin with this name */
    public Optional<Plugin> plugin(String name) {
        return plugins.stream().filter(p -> p.name().equals(name)).findFirst();
    }

    /** @return the problems that name this plugin */
    public List<PluginProblem> problems(String plugin) {
        return problems.stream().filter(p -> p.plugin().equals(plugin)).toList();
    }

    /** @return one line per problem, empty when there are none */
    public String report() {
        return report(problems);
    }

    static String report(List<PluginProblem> problems) {
        return problems.stream().map(PluginProblem::reportLine).collect(Collectors.joining("\n"));
    }

    /**
     * Closes the plugins' class loaders (their jar files). Only once no workflow uses plugin classes
     * any more: after closing, classes not yet loaded cannot be.
     */
    @Override
    public void close() {
        for (Plugin plugin : plugins) {
            if (plugin.classLoader() instanceof PluginClassLoader loader) {
                try {
                    loader.close();
                } catch (IOException e) {
                    // nothing else to release
                }
            }
        }
    }
}
