package dev.hark.runtime.engine;

import dev.hark.runtime.event.Delivery;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One resumption of the stored workflows after a restart, from before the runtime answers events
 * until every resumed workflow's waits are parked again. While it is open, a message to a workflow
 * that is still stored as resumable, or that was resumed but has not polled its waits yet, is
 * answered {@link Delivery.NotYetResumed} ("retry") instead of "not running": it is about to wait
 * for that message. The window holds counters only, not the ids it covers: the store's status and
 * the run's own {@code parked()} say which workflows are still to come.
 *
 * <p>{@link #done()} completes once the resumption has gone through every stored workflow and each
 * resumed run has parked its waits, with each workflow's output future, or exceptionally when the
 * resumption failed or the runtime closed first.
 */
public final class ResumeWindow {

    private final AtomicInteger resumed = new AtomicInteger();
    /** Runs handed to resume whose waits are not parked yet. */
    private final AtomicInteger unparked = new AtomicInteger();

    private final CompletableFuture<Map<String, CompletableFuture<Object>>> done = new CompletableFuture<>();
    private volatile int total;
    private volatile boolean listed;
    private volatile Map<String, CompletableFuture<Object>> outputs = Map.of();
    private volatile Throwable failure;

    private final ResumeProgressLog progress;
    /** Whether a workflow was handed to it: a window that resumes nothing reports nothing. */
    private final AtomicBoolean begun = new AtomicBoolean();

    private final AtomicBoolean closed = new AtomicBoolean();

    /** @param expected the workflows stored as resumable when it began */
    ResumeWindow(int expected) {
        this(expected, ResumeProgressLog.toLog());
    }

    /** @param progress where its progress is reported */
    ResumeWindow(int expected, ResumeProgressLog progress) {
        this.total = expected;
        this.progress = progress;
    }

    /** @return workflows whose waits are parked again */
    public int resumed() {
        return resumed.get();
    }

    /** @return workflows this resumption covers: those found resumable when it began, or, once it went through them all, those it resumed */
    public int total() {
        return total;
    }

    /** @return whether some workflow is still to be re-parked */
    public boolean isOpen() {
        return !done.isDone();
    }

    /** Completes once the window closes: every workflow re-parked, or the resumption failed or stopped. */
    public CompletableFuture<Map<String, CompletableFuture<Object>>> done() {
        return done;
    }

    Delivery.NotYetResumed notYetResumed(String workflowId, String key) {
        int resumedNow = resumed();
        int totalNow = total();
        return new Delivery.NotYetResumed(
                workflowId,
                key,
                resumedNow,
                totalNow,
                "the runtime is starting: workflow '"
                        + workflowId + "' is being resumed (" + resumedNow + " of " + totalNow
                        + " resumed so far) and does not wait for events yet; send the event again shortly");
    }

    /** A run is resumed within this window; {@code parked} completes when its waits are polled. */
    void resuming(CompletableFuture<Void> parked) {
        if (begun.compareAndSet(false, true)) {
            progress.began(total);
        }
        unparked.incrementAndGet();
        parked.whenComplete((ok, failed) -> {
            progress.resumed(resumed.incrementAndGet(), total);
            if (unparked.decrementAndGet() == 0) {
                maybeClose();
            }
        });
    }

    /** The resumption went through every stored workflow it will (or stopped early, with {@code failed}). */
    void listed(Map<String, CompletableFuture<Object>> resumedOutputs, Throwable failed) {
        this.outputs = resumedOutputs;
        this.total = resumedOutputs.size();
        if (failed != null) {
            this.failure = failed;
        }
        listed = true;
        maybeClose();
    }

    /** The runtime closed: nothing more will be parked here. */
    void abandon(Throwable reason) {
        failure = reason;
        listed = true;
        close(reason);
    }

    private void maybeClose() {
        if (listed && unparked.get() == 0) {
            close(failure);
        }
    }

    /** Both the listing and the last re-parked run may get here: only the first closes it and reports. */
    private void close(Throwable failed) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (begun.get()) {
            progress.finished(resumed(), total, failed); // before done: whoever waits for it finds the line
        }
        if (failed != null) {
            done.completeExceptionally(failed);
        } else {
            done.complete(outputs);
        }
    }
}
