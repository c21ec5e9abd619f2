package dev.hark.runtime.protocol;

import dev.hark.api.EventContext;
import dev.hark.api.InboxMessage;
import dev.hark.runtime.concurrent.Futures;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The {@link EventContext} a listener sees during one wait: what it may ask of the runtime, and
 * nothing of the protocol behind it (the listener never holds the {@link EventTask}, whose poll,
 * cancel and recommit are the runtime's to call).
 */
final class ListenerContext implements EventContext {

    private final EventTask wait;
    private final EventServices services;

    ListenerContext(EventTask wait, EventServices services) {
        this.wait = wait;
        this.services = services;
    }

    @Override
    public String workflowId() {
        return wait.workflowId();
    }

    @Override
    public String taskId() {
        return wait.taskId();
    }

    @Override
    public Clock clock() {
        return services.timers().clock();
    }

    @Override
    public CompletionStage<Void> timerAt(Instant deadline) {
        CompletableFuture<Void> timer = services.timers().at(deadline);
        if (!timer.isDone()) {
            wait.onRelease(() -> timer.cancel(false));
        }
        return timer;
    }

    @Override
    public CompletionStage<InboxMessage> inbox(String key) {
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("inbox key must be a non-empty string");
        }
        CompletableFuture<InboxMessage> message = services.inbox().subscribe(wait, key);
        wait.onRelease(() -> Futures.release(message));
        return message;
    }

    @Override
    public void onCancel(Runnable action) {
        wait.onCancel(action);
    }

    @Override
    public boolean isCancelled() {
        return wait.isCancelled();
    }
}
