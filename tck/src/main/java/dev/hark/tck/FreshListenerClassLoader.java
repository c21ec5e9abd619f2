package dev.hark.tck;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * Loads the listener's class, and the classes nested in it, anew from the listener's own class
 * path location, as a new process would: their {@code static} fields start empty. Every other class
 * (the fixture's source, the event and argument types declared outside the listener, the runtime,
 * {@code dev.hark.api}) comes from the parent, so the source the fixture publishes into stays the
 * one the listener reads.
 *
 * <p>The TCK opens every runtime with one of these (each restart gets a new one), and its L2.2
 * check polls and commits through instances of different generations: state a listener keeps in
 * static fields in place of its source is gone there, as it is after a real crash.
 */
final class FreshListenerClassLoader extends ClassLoader {

    static {
        registerAsParallelCapable();
    }

    private final String listener;

    /** @param listener the listener class whose fresh copy (with its nested classes) this loader defines */
    FreshListenerClassLoader(Class<?> listener) {
        super("hark-tck-fresh-" + listener.getSimpleName(), listener.getClassLoader());
        this.listener = listener.getName();
    }

    /** @return whether {@code className} is the listener or nested in it, and not one of the runtime's shared classes */
    boolean isFresh(String className) {
        return (className.equals(listener) || className.startsWith(listener + "$")) && !shared(className);
    }

    private static boolean shared(String className) {
        return className.startsWith("dev.hark.api.") || className.startsWith("dev.hark.listeners.")
                || className.startsWith("dev.hark.runtime.") || className.startsWith("java.");
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
