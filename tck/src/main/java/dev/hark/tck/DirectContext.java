package dev.hark.tck;

import dev.hark.api.EventContext;
import dev.hark.api.InboxMessage;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The {@link EventContext} of the TCK's direct checks, which call a listener without a runtime:
 * one shared timer thread, cancel actions, and an inbox the direct {@link Publication} feeds.
 */
final class DirectContext implements EventContext {

    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "hark-tck-timer");
        thread.setDaemon(true);
        return thread;
    });
    private static final Map<String, Deque<CompletableFuture<InboxMessage>>> INBOX = new ConcurrentHashMap<>();

    private final String workflowId;
    private final String taskId;
    private final List<Runnable> cancelActions = new ArrayList<>();
    private boolean cancelled;

    DirectContext(String workflowId, String taskId) {
        this.workflowId = workflowId;
        this.taskId = taskId;
    }

    @Override
    public String workflowId() {
        return workflowId;
    }

    @Override
    public String taskId() {
        return taskId;
    }

    @Override
    public Clock clock() {
        return Clock.systemUTC();
    }

    @Override
    public CompletionStage<Void> timerAt(Instant deadline) {
        CompletableFuture<Void> timer = new CompletableFuture<>();
        long delay = Math.max(0, Duration.between(Instant.now(), deadline).toNanos());
        var scheduled = TIMER.schedule(() -> timer.complete(null), delay, TimeUnit.NANOSECONDS);
        onCancel(() -> {
            scheduled.cancel(false);
            timer.cancel(false);
        });
        return timer;
    }

    @Override
    public CompletionStage<InboxMessage> inbox(String key) {
        CompletableFuture<InboxMessage> message = new CompletableFuture<>();
        Deque<CompletableFuture<InboxMessage>> waits =
                INBOX.computeIfAbsent(workflowId + "\n" + key, k -> new ConcurrentLinkedDeque<>());
        waits.add(message);
        onCancel(() -> {
            waits.remove(message);
            message.cancel(false);
        });
        return message;
    }

    @Override
    public void onCancel(Runnable action) {
        synchronized (this) {
            if (!cancelled) {
                cancelActions.add(action);
                return;
            }
        }
        action.run();
    }

    @Override
    public synchronized boolean isCancelled() {
        return cancelled;
    }

    /** Cancels the wait: runs the cancel actions once. */
    void cancel() {
        List<Runnable> actions;
        synchronized (this) {
            if (cancelled) {
                return;
            }
            cancelled = true;
            actions = List.copyOf(cancelActions);
            cancelActions.clear();
        }
        for (Runnable action : actions) {
            try {
                action.run();
            } catch (RuntimeException ignored) {
                // a cancel action of the listener under test; the rules about it are checked elsewhere
            }
        }
    }

    /** A publication into the direct inbox, addressed to {@code workflowId}. */
    static Publication publication(String workflowId, Duration patience) {
        return new Publication() {
            @Override
            public String workflowId() {
                return workflowId;
            }

            @Override
            public CompletionStage<String> sendToInbox(String key, Object payload) {
                CompletableFuture<String> accepted = new CompletableFuture<>();
                deliver(
                        workflowId + "\n" + key,
                        new InboxMessage(UUID.randomUUID().toString(), key, payload),
                        System.nanoTime() + patience.toNanos(),
                        accepted);
                return accepted;
            }
        };
    }

    private static void deliver(
            String address, InboxMessage message, long deadline, CompletableFuture<String> accepted) {
        Deque<CompletableFuture<InboxMessage>> waits = INBOX.get(address);
        CompletableFuture<InboxMessage> wait;
        while (waits != null && (wait = waits.poll()) != null) {
            if (wait.complete(message)) {
                accepted.complete(message.id());
                return;
            }
        }
        if (System.nanoTime() > deadline) {
            accepted.completeExceptionally(
                    new IllegalStateException("no wait registered for " + address.replace('\n', '/')));
            return;
        }
        TIMER.schedule(() -> deliver(address, message, deadline, accepted), 10, TimeUnit.MILLISECONDS);
    }
}
