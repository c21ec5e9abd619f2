package dev.hark.runtime.http;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The reply timeout of every pending event request. All requests share one timeout, so deadlines
 * arrive in the order requests do: a queue in arrival order, swept a few times a second, replaces a
 * timer (and its cross-thread cancellation) per request. Answered requests leave the queue when
 * they reach its head.
 */
final class ReplyDeadlines {

    private record Pending(long deadlineNanos, CompletableFuture<?> answer) {}

    private static final long SWEEP_MILLIS = 50;

    private final long timeoutNanos;
    private final ConcurrentLinkedQueue<Pending> pending = new ConcurrentLinkedQueue<>();

    ReplyDeadlines(long timeoutNanos, ScheduledExecutorService sweeper) {
        this.timeoutNanos = timeoutNanos;
        sweeper.scheduleWithFixedDelay(this::sweep, SWEEP_MILLIS, SWEEP_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Fails {@code answer} with a {@link TimeoutException} if it is not complete within the timeout. */
    void watch(CompletableFuture<?> answer) {
        pending.add(new Pending(System.nanoTime() + timeoutNanos, answer));
    }

    private void sweep() {
        long now = System.nanoTime();
        for (Pending head = pending.peek(); head != null; head = pending.peek()) {
            if (head.answer().isDone()) {
                pending.poll();
            } else if (now - head.deadlineNanos() >= 0) {
                pending.poll();
                head.answer().completeExceptionally(new TimeoutException());
            } else {
                return;
            }
        }
    }
}
