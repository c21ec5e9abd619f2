package dev.hark.runtime.plugin;

import java.util.List;

/**
 * Which classes a plugin takes from outside its own jars. Everything else a plugin uses must be in
 * its jars: a {@link PluginClassLoader} looks there first (child-first) and never falls back to the
 * runtime's class loader, so the engine, storage, Jackson databind, SQLite and every other runtime
 * dependency are invisible to plugins.
 *
 * <ul>
 *   <li><b>Runtime-shared</b> ({@link #RUNTIME}) — always taken from the runtime's loader, never from
 *       the plugin, even if the plugin bundles a copy: a listener and the runtime must agree on the one
 *       {@code Class} object of {@code EventListener}, {@code Event}, {@code Node}, {@code TimerEvent}…
 *       <ul>
 *         <li>{@code dev.hark.api.} — the listener contract;
 *         <li>{@code dev.hark.workflow.} — the workflow API ({@code Dag}, {@code Node},
 *             {@code WorkflowDefinition}, statuses, exceptions: the {@code hark-workflow-api}
 *             artifact) that workflow-definition plugins build with, except its
 *             {@code dev.hark.workflow.internal.} package ({@link #RUNTIME_EXCEPT});
 *         <li>{@code dev.hark.listeners.} — the built-in listeners and their events, so that a
 *             definition can wait on timers and HTTP events;
 *         <li>{@code com.fasterxml.jackson.annotation.} — the annotations events and arguments may
 *             carry; Jackson must see the same annotation classes it was built with.
 *       </ul>
 *   <li><b>Platform</b> ({@link #PLATFORM}) — the JDK's packages: asked of the platform class loader
 *       first; {@code java.} only there, the others (for example a {@code javax.inject} jar) then in
 *       the plugin's jars. Never from the runtime's class path.
 * </ul>
 */
public final class SharedPackages {

    /** Package prefixes that resolve to the runtime's own classes. */
    public static final List<String> RUNTIME =
            List.of("dev.hark.api.", "dev.hark.workflow.", "dev.hark.listeners.", "com.fasterxml.jackson.annotation.");

    /**
     * Prefixes inside {@link #RUNTIME} that plugins do not see: the workflow API's internals, which
     * {@code Dag} uses from the runtime's loader and no plugin has reason to call.
     */
    public static final List<String> RUNTIME_EXCEPT = List.of("dev.hark.workflow.internal.");

    /** Package prefixes of the Java platform. */
    public static final List<String> PLATFORM =
            List.of("java.", "javax.", "jdk.", "sun.", "com.sun.", "org.w3c.dom.", "org.xml.sax.", "org.ietf.jgss.");

    /** Where a class or resource comes from for a plugin. */
    enum Source {
        /** the runtime's class loader, only */
        RUNTIME,
        /** the platform class loader, only ({@code java.}) */
        PLATFORM_ONLY,
        /** the platform class loader, then the plugin's jars */
        PLATFORM_FIRST,
        /** the plugin's jars, only */
        PLUGIN
    }

    private SharedPackages() {}

    /** @return whether {@code className} is one of the runtime's classes shared with plugins */
    public static boolean isRuntimeShared(String className) {
        return startsWithAny(className, RUNTIME) && !startsWithAny(className, RUNTIME_EXCEPT);
    }

    static Source classSource(String className) {
        if (className.startsWith("java.")) {
            return Source.PLATFORM_ONLY;
        }
        if (startsWithAny(className, PLATFORM)) {
            return Source.PLATFORM_FIRST;
        }
        return isRuntimeShared(className) ? Source.RUNTIME : Source.PLUGIN;
    }

    /** @param path a resource path such as {@code dev/hark/api/Event.class} */
    static Source resourceSource(String path) {
        String dotted = (path.startsWith("/") ? path.substring(1) : path).replace('/', '.');
        return classSource(dotted);
    }

    private static boolean startsWithAny(String name, List<String> prefixes) {
        for (String prefix : prefixes) {
            if (name.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }
}
