package dev.hark.runtime.http;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reply timeout of every pending event request. All requests share one timeout, so deadlines
 * arrive in the order requests do: a queue in arrival order, swept a few times a second, replaces a
 * timer (and its cross-thread cancellation) per request. Answered requests leave the queue when
 * they reach its head.
 */
final class ReplyDeadlines {

    private static final Logger LOG = LoggerFactory.getLogger(ReplyDeadlines.class);

    /** A request waiting for its answer. */
    interface Awaiting {
        /** @return whether the request has been answered */
        boolean answered();

        /** Answers the request as timed out, unless it was answered meanwhile. */
        void timedOut();
    }

    private record Pending(long deadlineNanos, Awaiting request) {}

    private static final long SWEEP_MILLIS = 50;

    private final long timeoutNanos;
    private final ConcurrentLinkedQueue<Pending> pending = new ConcurrentLinkedQueue<>();

    ReplyDeadlines(long timeoutNanos, ScheduledExecutorService sweeper) {
        this.timeoutNanos = timeoutNanos;
        sweeper.scheduleWithFixedDelay(this::sweep, SWEEP_MILLIS, SWEEP_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Calls {@link Awaiting#timedOut} if the request is not answered within the timeout. */
    void watch(Awaiting request) {
        pending.add(new Pending(System.nanoTime() + timeoutNanos, request));
    }

    private void sweep() {
        long now = System.nanoTime();
        for (Pending head = pending.peek(); head != null; head = pending.peek()) {
            if (head.request().answered()) {
                pending.poll();
            } else if (now - head.deadlineNanos() >= 0) {
                pending.poll();
                try {
                    head.request().timedOut();
                } catch (RuntimeException e) { // a failure must not end the sweeps for everyone else
                    LOG.warn("Answering a timed-out event request failed", e);
                }
            } else {
                return;
            }
        }
    }
}
