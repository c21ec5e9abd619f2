package dev.hark.tck;

import dev.hark.runtime.plugin.PluginClassLoader;
import dev.hark.runtime.testkit.StoredForms;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * Loads the listener's class anew from the listener's own class path location, as a new process
 * would: its {@code static} fields start empty. With it come the classes of its nest — its
 * top-level class and every class nested there (the JVM refuses a nested class whose enclosing
 * class is another loader's copy) — so a listener declared inside another class is reloaded with
 * that class: keep the source the fixture publishes into outside it. Every other class (the
 * fixture's source, event and argument types declared elsewhere, the runtime, {@code dev.hark.api})
 * comes from the parent, so the source stays the one the listener reads.
 *
 * <p>The TCK opens every runtime with one of these (each restart gets a new one), and its L2.2
 * check polls and commits through instances of different generations: state a listener keeps in
 * static fields in place of its source is gone there, as it is after a real crash.
 *
 * <p>With {@value TckSettings#PLUGIN} set (the archetype's pom sets it to the plugin folder it
 * builds), each generation is a {@link PluginClassLoader}, as {@code hark serve} makes for a plugin:
 * over the listener's own class path location (its {@code target/classes}) and the folder's jars, its
 * libraries, child-first, with only the runtime's shared packages from outside. Every class found
 * there — the listener, its events, its libraries — comes from that loader, so the listener runs
 * with the library versions it bundles, not the ones Maven picked for the test class path, and
 * cannot reach the runtime's internals or libraries. Other names (the kit's own task functions, the
 * fixture's classes) still come from the test class path. Arguments are handed to such a generation
 * through JSON ({@link #argumentsFor}), as the runtime does.
 */
final class FreshListenerClassLoader extends ClassLoader {

    static {
        registerAsParallelCapable();
    }

    private final String nest;
    /** the generation's plugin loader with {@value TckSettings#PLUGIN} set; else null */
    private final PluginClassLoader plugin;

    /** @param listener the listener class whose fresh copy (with the classes of its nest) this loader defines */
    FreshListenerClassLoader(Class<?> listener) {
        super("hark-tck-fresh-" + listener.getSimpleName(), listener.getClassLoader());
        Class<?> top = listener;
        while (top.getEnclosingClass() != null) {
            top = top.getEnclosingClass();
        }
        this.nest = top.getName();
        this.plugin = shared(listener.getName())
                ? null
                : TckSettings.pluginFolder()
                        .map(folder -> pluginLoader(listener, folder))
                        .orElse(null);
    }

    /**
     * A plugin class loader over the listener's class path location and the jars of {@code folder}
     * (those that hold no copy of the listener's class: its own jar from an earlier {@code package}
     * is left out, {@code target/classes} is the current build).
     */
    static PluginClassLoader pluginLoader(Class<?> listener, Path folder) {
        String classFile = listener.getName().replace('.', '/') + ".class";
        List<URL> urls = new ArrayList<>();
        try {
            CodeSource source = listener.getProtectionDomain().getCodeSource();
            if (source == null || source.getLocation() == null) {
                throw new IllegalStateException("cannot tell where " + listener.getName() + " was loaded from");
            }
            urls.add(source.getLocation());
            if (Files.isDirectory(folder)) {
                try (Stream<Path> files = Files.list(folder)) {
                    for (Path jar : files.filter(f -> f.getFileName().toString().endsWith(".jar"))
                            .sorted()
                            .toList()) {
                        try (JarFile in = new JarFile(jar.toFile())) {
                            if (in.getEntry(classFile) != null) {
                                continue;
                            }
                        }
                        urls.add(jar.toUri().toURL());
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the plugin folder " + folder, e);
        }
        return new PluginClassLoader("tck-" + listener.getSimpleName(), urls, listener.getClassLoader());
    }

    /** @return the plugin loader of this generation, if the listener runs in one */
    Optional<PluginClassLoader> plugin() {
        return Optional.ofNullable(plugin);
    }

    /** @return whether {@code className} is of the listener's nest, and not one of the runtime's shared classes */
    boolean isFresh(String className) {
        return (className.equals(nest) || className.startsWith(nest + "$")) && !shared(className);
    }

    /** With a plugin loader: whether it holds {@code className} (the listener's classes and libraries). */
    private boolean inPlugin(String className) {
        return plugin != null
                && !shared(className)
                && !className.startsWith("dev.hark.")
                && plugin.findResource(className.replace('.', '/') + ".class") != null;
    }

    /**
     * @return {@code args} as the listener {@code instance} takes them: the same object when its
     *     class is the test's, else read back through JSON into the instance's own argument type
     *     (a plugin generation), as the runtime hands stored arguments to a listener
     */
    @SuppressWarnings("unchecked")
    static <A> A argumentsFor(Object instance, A args) {
        if (args == null
                || !(instance.getClass().getClassLoader() instanceof PluginClassLoader)
                || args.getClass().getClassLoader() == null) {
            return args;
        }
        return (A) StoredForms.of(instance.getClass()).roundTripArguments(args);
    }

    private static boolean shared(String className) {
        return className.startsWith("dev.hark.api.")
                || className.startsWith("dev.hark.listeners.")
                || className.startsWith("dev.hark.runtime.")
                || className.startsWith("java.");
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (plugin != null) {
            return inPlugin(name) ? plugin.loadClass(name) : super.loadClass(name, resolve);
        }
        if (!isFresh(name)) {
            return super.loadClass(name, resolve);
        }
        synchronized (getClassLoadingLock(name)) {
            Class<?> loaded = findLoadedClass(name);
            if (loaded == null) {
                loaded = define(name);
            }
            if (resolve) {
                resolveClass(loaded);
            }
            return loaded;
        }
    }

    private Class<?> define(String name) throws ClassNotFoundException {
        String resource = name.replace('.', '/') + ".class";
        try (InputStream in = getParent().getResourceAsStream(resource)) {
            if (in == null) {
                throw new ClassNotFoundException(name + " (no " + resource + " on the listener's class path)");
            }
            byte[] bytes = in.readAllBytes();
            return defineClass(name, bytes, 0, bytes.length);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }

    /**
     * @return the listener class of a new generation: a fresh copy with empty static fields, or the
     *     class itself when it is one of the runtime's shared classes (a built-in listener)
     */
    static Class<?> freshCopyOf(Class<?> listener) {
        FreshListenerClassLoader loader = new FreshListenerClassLoader(listener);
        try {
            return Class.forName(listener.getName(), true, loader);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("cannot load a fresh copy of " + listener.getName() + ": " + e, e);
        }
    }
}
