package dev.hark.runtime.protocol;

import dev.hark.runtime.concurrent.DaemonThreads;
import dev.hark.runtime.concurrent.Futures;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One scheduler thread for every timer in the runtime: a million pending timers cost a million
 * queue entries, not a million threads. Cancelling a timer removes its entry at once.
 */
public final class TimerService implements AutoCloseable {

    private final Clock clock;
    private final ScheduledThreadPoolExecutor scheduler;
    private final AtomicInteger housekeeping = new AtomicInteger();

    public TimerService(Clock clock) {
        this.clock = clock;
        this.scheduler = new ScheduledThreadPoolExecutor(1, DaemonThreads.named("hark-timer"));
        scheduler.setRemoveOnCancelPolicy(true);
        scheduler.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    public Clock clock() {
        return clock;
    }

    /**
     * @return a future completed with null at {@code deadline} (at once if it is past); cancelling
     *     it releases the timer
     */
    public CompletableFuture<Void> at(Instant deadline) {
        long delayNanos;
        try {
            delayNanos = Duration.between(clock.instant(), deadline).toNanos();
        } catch (ArithmeticException farFuture) {
            delayNanos = Long.MAX_VALUE / 2;
        }
        Timer timer = new Timer();
        if (delayNanos <= 0) {
            timer.complete(null);
        } else {
            try {
                timer.scheduled = scheduler.schedule(timer, delayNanos, TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException closed) {
                // the runtime is shutting down; its waits are being cancelled, and this one never fires
            }
        }
        return timer;
    }

    /** Runs a short, non-blocking action after {@code delay}. */
    public void schedule(Runnable action, Duration delay) {
        try {
            scheduler.schedule(action, Math.max(0, delay.toNanos()), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException closed) {
            // the runtime is shutting down; its waits are being cancelled anyway
        }
    }

    /**
     * Runs a short, non-blocking piece of the runtime's own housekeeping every {@code period}, first
     * after {@code initialDelay}; not counted in {@link #pending()}, which counts waits' timers.
     */
    public void every(Duration initialDelay, Duration period, Runnable action) {
        try {
            scheduler.scheduleWithFixedDelay(action, initialDelay.toNanos(), period.toNanos(), TimeUnit.NANOSECONDS);
            housekeeping.incrementAndGet();
        } catch (RejectedExecutionException closed) {
            // the runtime is shutting down
        }
    }

    /** @return timers queued and not yet fired, the runtime's housekeeping aside */
    public int pending() {
        return scheduler.getQueue().size() - housekeeping.get();
    }

    /**
     * Drops every pending timer at once, then stops the thread. {@code shutdownNow} alone takes the
     * timers out of the queue one by one (a sift of the heap each, under its lock), and so would each
     * wait's release afterwards; a cleared queue makes both cheap, which is what closing a runtime
     * with a million parked timers needs. The timers' futures stay incomplete: their waits are
     * cancelled by the engine.
     */
    @Override
    public void close() {
        scheduler.getQueue().clear();
        scheduler.shutdownNow();
    }

    private static final class Timer extends CompletableFuture<Void> implements Runnable {
        private volatile ScheduledFuture<?> scheduled;

        @Override
        public void run() {
            complete(null);
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            // not super.cancel: it builds a CancellationException (a stack trace) per timer
            boolean cancelled = Futures.release(this);
            ScheduledFuture<?> entry = scheduled;
            if (entry != null) {
                entry.cancel(false);
            }
            return cancelled;
        }
    }
}
