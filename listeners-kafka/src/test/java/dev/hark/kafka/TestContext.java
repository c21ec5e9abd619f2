package dev.hark.kafka;

import dev.hark.api.EventContext;
import dev.hark.api.InboxMessage;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** A wait for direct calls of the listener: cancellable, with a refused checkpoint simulated by {@link #endAttempt}. */
final class TestContext implements EventContext {
    private final String workflowId;
    private final List<Runnable> cancelActions = new ArrayList<>();
    private volatile boolean cancelled;

    TestContext(String workflowId) {
        this.workflowId = workflowId;
    }

    @Override
    public String workflowId() {
        return workflowId;
    }

    @Override
    public String taskId() {
        return "t";
    }

    @Override
    public Clock clock() {
        return Clock.systemUTC();
    }

    @Override
    public CompletionStage<Void> timerAt(Instant deadline) {
        return new CompletableFuture<>();
    }

    @Override
    public synchronized void onCancel(Runnable action) {
        if (cancelled) {
            action.run();
        } else {
            cancelActions.add(action);
        }
    }

    @Override
    public CompletionStage<InboxMessage> inbox(String key) {
        throw new UnsupportedOperationException();
    }

    @Override
    public boolean isCancelled() {
        return cancelled;
    }

    /** The wait is cancelled: its actions run. */
    void cancel() {
        List<Runnable> actions;
        synchronized (this) {
            cancelled = true;
            actions = new ArrayList<>(cancelActions);
            cancelActions.clear();
        }
        actions.forEach(Runnable::run);
    }

    /** The attempt ended without a checkpoint (a refused claim): the actions run, the wait is not cancelled. */
    void endAttempt() {
        List<Runnable> actions;
        synchronized (this) {
            actions = new ArrayList<>(cancelActions);
            cancelActions.clear();
        }
        actions.forEach(Runnable::run);
    }
}
