package dev.hark.runtime.plugin;

/**
 * Runs a call into plugin code with the plugin's class loader as the thread context class loader
 * (L2.1's companion: libraries in a plugin that look classes or resources up through the context
 * loader — Jackson modules, JDBC drivers, {@code ServiceLoader.load(X.class)} — find the plugin's
 * own, not the application's). The previous context loader is restored afterwards.
 */
public final class PluginCalls {

    private PluginCalls() {}

    /** A call that may throw {@code X}. */
    @FunctionalInterface
    public interface Call<T, X extends Throwable> {
        T call() throws X;
    }

    /**
     * @param loader the context class loader during the call; null leaves it as it is
     * @return what {@code call} returns
     */
    public static <T, X extends Throwable> T withContextLoader(ClassLoader loader, Call<T, X> call) throws X {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        if (loader == null || loader == previous) {
            return call.call();
        }
        thread.setContextClassLoader(loader);
        try {
            return call.call();
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    /** Runs {@code call} with the loader that defined {@code pluginClass} as the context class loader. */
    public static <T, X extends Throwable> T in(Class<?> pluginClass, Call<T, X> call) throws X {
        return withContextLoader(pluginClass == null ? null : pluginClass.getClassLoader(), call);
    }
}
