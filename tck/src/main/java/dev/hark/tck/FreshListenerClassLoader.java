package dev.hark.tck;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

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
 */
final class FreshListenerClassLoader extends ClassLoader {

    static {
        registerAsParallelCapable();
    }

    private final String nest;

    /** @param listener the listener class whose fresh copy (with the classes of its nest) this loader defines */
    FreshListenerClassLoader(Class<?> listener) {
        super("hark-tck-fresh-" + listener.getSimpleName(), listener.getClassLoader());
        Class<?> top = listener;
        while (top.getEnclosingClass() != null) {
            top = top.getEnclosingClass();
        }
        this.nest = top.getName();
    }

    /** @return whether {@code className} is of the listener's nest, and not one of the runtime's shared classes */
    boolean isFresh(String className) {
        return (className.equals(nest) || className.startsWith(nest + "$")) && !shared(className);
    }

    private static boolean shared(String className) {
        return className.startsWith("dev.hark.api.")
                || className.startsWith("dev.hark.listeners.")
                || className.startsWith("dev.hark.runtime.")
                || className.startsWith("java.");
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
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
