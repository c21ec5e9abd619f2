package org.apache.kafka.common.utils;

/**
 * Replaces kafka-clients' own {@code Exit} in the plugin jar: the client library's utility stops the
 * process with {@code System.exit} or {@code Runtime.halt} when asked to, which a plugin must never
 * do (SPEC L1.12: the loader refuses any plugin class that refers to them). The consumer never calls
 * it; if anything in the client did, this copy throws instead, so the failure stays with the wait.
 * Same public API as the original (Kafka 4.1).
 */
public class Exit {

    /** What {@link #exit} or {@link #halt} does. */
    public interface Procedure {
        /**
         * @param statusCode the process status the caller asked for
         * @param message why, or null
         */
        void execute(int statusCode, String message);
    }

    /** How {@link #addShutdownHook} registers a hook. */
    public interface ShutdownHookAdder {
        /**
         * @param name the hook thread's name, or null
         * @param runnable what the hook runs
         */
        void addShutdownHook(String name, Runnable runnable);
    }

    private static final Procedure REFUSE = (statusCode, message) -> {
        throw new IllegalStateException("Kafka client asked to stop the process (status " + statusCode + ": " + message
                + "); a plugin never stops the server [L1.12]");
    };

    private static final ShutdownHookAdder DEFAULT_HOOKS = (name, runnable) -> {
        Thread hook = name == null ? new Thread(runnable) : new Thread(runnable, name);
        Runtime.getRuntime().addShutdownHook(hook);
    };

    private static volatile Procedure exitProcedure = REFUSE;
    private static volatile Procedure haltProcedure = REFUSE;
    private static volatile ShutdownHookAdder shutdownHookAdder = DEFAULT_HOOKS;

    /** Not instantiated in practice; public as in the original. */
    public Exit() {}

    /** @param statusCode the status asked for */
    public static void exit(int statusCode) {
        exit(statusCode, null);
    }

    /**
     * @param statusCode the status asked for
     * @param message why, or null
     */
    public static void exit(int statusCode, String message) {
        exitProcedure.execute(statusCode, message);
    }

    /** @param statusCode the status asked for */
    public static void halt(int statusCode) {
        halt(statusCode, null);
    }

    /**
     * @param statusCode the status asked for
     * @param message why, or null
     */
    public static void halt(int statusCode, String message) {
        haltProcedure.execute(statusCode, message);
    }

    /**
     * @param name the hook thread's name, or null
     * @param runnable what the hook runs
     */
    public static void addShutdownHook(String name, Runnable runnable) {
        shutdownHookAdder.addShutdownHook(name, runnable);
    }

    /** @param procedure what {@link #exit} does from now on */
    public static void setExitProcedure(Procedure procedure) {
        exitProcedure = procedure;
    }

    /** @param procedure what {@link #halt} does from now on */
    public static void setHaltProcedure(Procedure procedure) {
        haltProcedure = procedure;
    }

    /** @param adder how {@link #addShutdownHook} registers hooks from now on */
    public static void setShutdownHookAdder(ShutdownHookAdder adder) {
        shutdownHookAdder = adder;
    }

    /** Back to refusing. */
    public static void resetExitProcedure() {
        exitProcedure = REFUSE;
    }

    /** Back to refusing. */
    public static void resetHaltProcedure() {
        haltProcedure = REFUSE;
    }

    /** Back to the runtime's shutdown hooks. */
    public static void resetShutdownHookAdder() {
        shutdownHookAdder = DEFAULT_HOOKS;
    }
}
