package dev.hark.runtime.plugin;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Objects;

/**
 * The class loader of one plugin: its jars first, with only {@link SharedPackages} taken from
 * outside. A class that is neither shared nor in the plugin's jars is a
 * {@link ClassNotFoundException}: there is no fallback to the runtime's (application) loader, so a
 * plugin cannot see the runtime's internals or the libraries the runtime happens to use, and two
 * plugins may bundle different versions of the same library.
 *
 * <p>The parent is the platform loader, not the runtime's: a class the switch below does not send
 * to the runtime cannot reach it by any path (as in Trino's {@code PluginClassLoader}).
 *
 * <p>Resources follow the same rule: {@code META-INF/services/...} of a plugin loader are the
 * plugin's own files only.
 */
public final class PluginClassLoader extends URLClassLoader {

    static {
        ClassLoader.registerAsParallelCapable();
    }

    private final String pluginName;
    private final ClassLoader runtime;
    private final ClassLoader platform = ClassLoader.getPlatformClassLoader();

    /**
     * @param pluginName the plugin's name, for messages
     * @param jars the plugin's jars
     * @param runtime the runtime's loader, consulted only for {@link SharedPackages#RUNTIME}
     */
    public PluginClassLoader(String pluginName, List<URL> jars, ClassLoader runtime) {
        // the parent is the platform loader: nothing of the application class path is reachable
        // through it; shared packages are delegated to the runtime's loader explicitly
        super("hark-plugin-" + pluginName, jars.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
        this.pluginName = Objects.requireNonNull(pluginName, "pluginName");
        this.runtime = Objects.requireNonNull(runtime, "runtime");
    }

    /** @return the plugin this loader belongs to */
    public String pluginName() {
        return pluginName;
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        synchronized (getClassLoadingLock(name)) {
            Class<?> loaded = findLoadedClass(name);
            if (loaded == null) {
                loaded = switch (SharedPackages.classSource(name)) {
                    case RUNTIME -> runtime.loadClass(name);
                    case PLATFORM_ONLY -> platform.loadClass(name);
                    case PLATFORM_FIRST -> platformThenOwn(name);
                    case PLUGIN -> findClass(name);
                };
            }
            if (resolve) {
                resolveClass(loaded);
            }
            return loaded;
        }
    }

    private Class<?> platformThenOwn(String name) throws ClassNotFoundException {
        try {
            return platform.loadClass(name);
        } catch (ClassNotFoundException e) {
            return findClass(name);
        }
    }

    @Override
    public URL getResource(String name) {
        return switch (SharedPackages.resourceSource(name)) {
            case RUNTIME -> runtime.getResource(name);
            case PLATFORM_ONLY -> platform.getResource(name);
            case PLATFORM_FIRST -> {
                URL url = platform.getResource(name);
                yield url != null ? url : findResource(name);
            }
            case PLUGIN -> findResource(name);
        };
    }

    @Override
    public Enumeration<URL> getResources(String name) throws IOException {
        return switch (SharedPackages.resourceSource(name)) {
            case RUNTIME -> runtime.getResources(name);
            case PLATFORM_ONLY -> platform.getResources(name);
            case PLATFORM_FIRST -> {
                List<URL> all = new ArrayList<>(Collections.list(platform.getResources(name)));
                all.addAll(Collections.list(findResources(name)));
                yield Collections.enumeration(all);
            }
            case PLUGIN -> findResources(name);
        };
    }

    @Override
    public String toString() {
        return "PluginClassLoader[" + pluginName + "]";
    }
}
