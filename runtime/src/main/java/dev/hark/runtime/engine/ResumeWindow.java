package dev.hark.runtime.engine;

import dev.hark.runtime.event.Delivery;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * One resumption of the stored workflows after a restart, from before the runtime answers events
 * until every resumed workflow's waits are parked again. While a workflow is pending here, a
 * message sent to it is answered {@link Delivery.NotYetResumed} ("retry") instead of "not running":
 * it is about to wait for that message. A workflow stops being pending once the waits its run
 * launched at start have called {@code pollForEvent} (so an inbox wait is registered), or when the
 * resumption turns out not to cover it (it vanished, or the resumption stopped early).
 *
 * <p>The window is open until the resumption has gone through every stored workflow and none is
 * pending; then {@link #done()} completes, with each workflow's output future, or exceptionally
 * when the resumption failed or the runtime closed first.
 */
public final class ResumeWindow {

    private final Set<String> pending = ConcurrentHashMap.newKeySet();
    private final AtomicInteger resumed = new AtomicInteger();
    private final AtomicInteger total;
    private final CompletableFuture<Map<String, CompletableFuture<Object>>> done = new CompletableFuture<>();
    private volatile boolean listed;
    private volatile Map<String, CompletableFuture<Object>> outputs = Map.of();
    private volatile Throwable failure;

    ResumeWindow(Collection<String> workflowIds) {
        pending.addAll(workflowIds);
        total = new AtomicInteger(pending.size());
    }

    /** @return whether {@code workflowId} is to be resumed here and its waits are not parked yet */
    boolean isPending(String workflowId) {
        return pending.contains(workflowId);
    }

    /** @return workflows whose waits are parked again */
    public int resumed() {
        return resumed.get();
    }

    /** @return workflows this resumption covers (those found RESUMABLE when it began, less any that vanished) */
    public int total() {
        return total.get();
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
        return new Delivery.NotYetResumed(workflowId, key, resumedNow, totalNow, "the runtime is starting: workflow '"
                + workflowId + "' is being resumed (" + resumedNow + " of " + totalNow
                + " resumed so far) and does not wait for events yet; send the event again shortly");
    }

    /** The run of {@code workflowId} has launched its waits. */
    void parked(String workflowId) {
        if (pending.remove(workflowId)) {
            resumed.incrementAndGet();
            maybeClose();
        }
    }

    /**
     * The resumption went through every stored workflow it will (or stopped early, with
     * {@code failure}); a workflow still pending that is not active will not be resumed by it.
     */
    void listed(Map<String, CompletableFuture<Object>> resumedOutputs, Throwable failed, Predicate<String> active) {
        this.outputs = resumedOutputs;
        if (failed != null) {
            this.failure = failed;
        }
        for (String workflowId : pending) {
            if (!active.test(workflowId) && pending.remove(workflowId)) {
                total.decrementAndGet();
            }
        }
        listed = true;
        maybeClose();
    }

    /** The runtime closed: nothing more will be parked here. */
    void abandon(Throwable reason) {
        failure = reason;
        pending.clear();
        listed = true;
        maybeClose();
    }

    private void maybeClose() {
        if (listed && pending.isEmpty()) {
            Throwable failed = failure;
            if (failed != null) {
                done.completeExceptionally(failed);
            } else {
                done.complete(outputs);
            }
        }
    }
}
