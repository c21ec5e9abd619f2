package dev.hark.runtime.concurrent;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The runtime's threads: daemons, so that an application that forgets to close its runtime can
 * still exit, and named, so that a thread dump says whose they are ({@code hark-worker-3}).
 */
public final class DaemonThreads implements ThreadFactory {

    private final String name;
    private final boolean numbered;
    private final AtomicInteger count = new AtomicInteger();

    private DaemonThreads(String name, boolean numbered) {
        this.name = name;
        this.numbered = numbered;
    }

    /** @return a factory whose threads are all called {@code name} (for a pool of one) */
    public static DaemonThreads named(String name) {
        return new DaemonThreads(name, false);
    }

    /** @return a factory whose threads are called {@code prefix-1}, {@code prefix-2}, … */
    public static DaemonThreads numbered(String prefix) {
        return new DaemonThreads(prefix, true);
    }

    @Override
    public Thread newThread(Runnable task) {
        Thread thread = new Thread(task, numbered ? name + "-" + count.incrementAndGet() : name);
        thread.setDaemon(true);
        return thread;
    }
}
