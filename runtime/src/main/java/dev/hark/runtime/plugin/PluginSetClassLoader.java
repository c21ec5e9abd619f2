package dev.hark.runtime.plugin;

import java.io.IOException;
import java.net.URL;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Resolves any class of any loaded plugin by name, for the runtime (a resumed workflow names its
 * listeners, events and task functions by class name). The runtime's loader is asked first (parent
 * delegation): shared packages, built-ins and the application class path win; then each plugin's
 * loader in load order. Listener ids are unique across all of them (L1.8), so a listener name
 * resolves to exactly one class; a library class bundled by several plugins resolves to the first
 * plugin's copy here, while each plugin keeps seeing its own.
 */
final class PluginSetClassLoader extends ClassLoader {

    static {
        ClassLoader.registerAsParallelCapable();
    }

    private final List<PluginClassLoader> plugins;
    private final Map<String, Class<?>> found = new ConcurrentHashMap<>();

    PluginSetClassLoader(ClassLoader runtime, List<PluginClassLoader> plugins) {
        super("hark-plugins", runtime);
        this.plugins = List.copyOf(plugins);
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
        Class<?> known = found.get(name);
        if (known != null) {
            return known;
        }
        if (SharedPackages.classSource(name) != SharedPackages.Source.PLUGIN) {
            throw new ClassNotFoundException(name);
        }
        for (PluginClassLoader plugin : plugins) {
            try {
                Class<?> type = plugin.loadClass(name);
                found.putIfAbsent(name, type);
                return type;
            } catch (ClassNotFoundException e) {
                // not in this plugin
            }
        }
        throw new ClassNotFoundException(name + " (not on the class path nor in any loaded plugin)");
    }

    @Override
    protected URL findResource(String name) {
        for (PluginClassLoader plugin : plugins) {
            URL url = plugin.findResource(name);
            if (url != null) {
                return url;
            }
        }
        return null;
    }

    @Override
    protected Enumeration<URL> findResources(String name) throws IOException {
        List<URL> all = new ArrayList<>();
        for (PluginClassLoader plugin : plugins) {
            all.addAll(Collections.list(plugin.findResources(name)));
        }
        return Collections.enumeration(all);
    }

    @Override
    public String toString() {
        return "PluginSetClassLoader" + plugins;
    }
}
