package dev.hark.runtime.event;

import dev.hark.api.Event;
import dev.hark.api.EventContext;
import dev.hark.api.EventListener;
import dev.hark.api.InboxMessage;
import dev.hark.runtime.json.ValueCodecException;
import dev.hark.runtime.storage.StoreWrite;
import dev.hark.runtime.storage.TaskState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives one wait through the exactly-once protocol:
 *
 * <ol>
 *   <li>poll a fresh listener instance with the stored arguments;
 *   <li>when the event comes, checkpoint it durably (nothing else happens before the store confirms);
 *   <li>hand it to the workflow and call {@code eventCheckpointed} [R4.1];
 *   <li>record the commit.
 * </ol>
 *
 * A failed poll, or a checkpoint the store refused, polls again after a back-off: the event was not
 * committed, so its source still has it [L3.3]. A cancelled wait checkpoints and commits nothing.
 * This object is also the {@link EventContext} the listener sees.
 */
public final class EventTask implements EventContext {

    private record PendingReply(InboxMessage message, CompletableFuture<Delivery> reply) {}

    /** What the owning workflow learns from a wait. */
    public interface Owner {
        /** The event is durable; downstream may run. */
        void eventCheckpointed(int node, String envelope);

        /**
         * The listener committed the event.
         *
         * @return whether the workflow's final status was queued just now, which records the commit
         */
        boolean commitRecorded(int node);

        /** The wait cannot go on: a listener broke a rule, or commits keep failing. */
        void waitFailed(int node, String message, Throwable cause);
    }

    private static final Logger LOG = LoggerFactory.getLogger(EventTask.class);
    private static final int MAX_COMMIT_ATTEMPTS = 8;
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    private final EventServices services;
    private final Owner owner;
    private final String workflowId;
    private final String taskId;
    private final int node;
    private final ListenerType type;
    private final String argsEnvelope;

    private EventListener<Object, Event> listener;
    private CompletionStage<Event> pollStage;
    private List<Runnable> cancelActions;
    private List<PendingReply> replies;
    private boolean cancelled;
    private boolean checkpointed;
    private int failedPolls;

    public EventTask(EventServices services, Owner owner, String workflowId, String taskId, int node,
            ListenerType type, String argsEnvelope) {
        this.services = services;
        this.owner = owner;
        this.workflowId = workflowId;
        this.taskId = taskId;
        this.node = node;
        this.type = type;
        this.argsEnvelope = argsEnvelope;
    }

    /** Starts polling. Call on the executor. */
    public void poll() {
        EventListener<Object, Event> fresh;
        Object args;
        try {
            fresh = type.newInstance();
            args = services.codec().decode(argsEnvelope, type.argsType());
        } catch (RuntimeException e) {
            fail("cannot start waiting on " + type.id() + ": " + e.getMessage(), e);
            return;
        }
        CompletionStage<Event> stage;
        synchronized (this) {
            if (cancelled) {
                return;
            }
            listener = fresh;
        }
        try {
            stage = fresh.pollForEvent(args, this);
        } catch (RuntimeException e) {
            pollFailed(e);
            return;
        }
        if (stage == null) {
            fail(type.id() + ".pollForEvent returned null; it must return a stage [L3.2]", null);
            return;
        }
        synchronized (this) {
            pollStage = stage;
        }
        // Runs on whichever thread completed the poll: the work up to the store's queue is short and
        // never blocks, and the durable part continues on the executor.
        stage.whenComplete(this::polled);
    }

    /** Resumes a wait whose event was checkpointed before a crash: commit again, never poll [R4.1]. */
    public void recommit(String eventEnvelope) {
        Event event;
        try {
            synchronized (this) {
                checkpointed = true;
                listener = type.newInstance();
            }
            event = (Event) services.codec().decode(eventEnvelope, type.eventType());
        } catch (RuntimeException e) {
            owner.waitFailed(node, "cannot read back the checkpointed event of " + type.id() + ": " + e.getMessage(), e);
            return;
        }
        commit(event, 1);
    }

    /**
     * Cancels the wait: nothing is checkpointed or committed from here on, cancel actions run, and
     * timers of this wait are released. Does nothing once the event is checkpointed.
     */
    public void cancel() {
        List<Runnable> actions;
        CompletionStage<Event> stage;
        synchronized (this) {
            if (cancelled || checkpointed) {
                return;
            }
            cancelled = true;
            actions = cancelActions;
            cancelActions = null;
            stage = pollStage;
        }
        settleReplies(message -> new Delivery.NotWaiting(workflowId, message.key(), Delivery.Reason.WORKFLOW_FINISHED,
                "workflow '" + workflowId + "' stopped waiting before the event was checkpointed; nothing was recorded"));
        if (actions != null) {
            actions.forEach(EventTask::runQuietly);
        }
        if (stage != null) {
            try {
                stage.toCompletableFuture().cancel(false);
            } catch (UnsupportedOperationException notCancellable) {
                // the listener returned a stage without a future view; its onCancel actions ran
            }
        }
    }

    private void polled(Event event, Throwable error) {
        synchronized (this) {
            if (cancelled) {
                return;
            }
        }
        if (error != null) {
            pollFailed(error);
            return;
        }
        if (event == null) {
            fail(type.id() + " completed its poll with null; it must complete with an event [L3.2]", null);
            return;
        }
        String envelope;
        try {
            envelope = services.codec().encode(event, type.eventType());
        } catch (ValueCodecException e) {
            fail("event of " + type.id() + " cannot be checkpointed: " + e.getMessage() + " [L1.5]", e);
            return;
        }
        services.store().write(new StoreWrite.PutTask(workflowId, taskId, TaskState.CHECKPOINTED, envelope))
                .whenCompleteAsync((ok, failure) -> {
                    if (failure != null) {
                        LOG.warn("Checkpoint of {} in workflow {} failed; polling again: {}", taskId, workflowId,
                                failure.toString());
                        pollFailed(failure);
                        return;
                    }
                    synchronized (this) {
                        if (cancelled) {
                            return;
                        }
                        checkpointed = true;
                        cancelActions = null;
                    }
                    settleReplies(message -> new Delivery.Accepted(workflowId, message.key(), event.id()));
                    owner.eventCheckpointed(node, envelope);
                    commit(event, 1);
                }, services.executor());
    }

    private void pollFailed(Throwable error) {
        int attempt;
        synchronized (this) {
            if (cancelled) {
                return;
            }
            attempt = ++failedPolls;
            pollStage = null;
        }
        settleReplies(message -> new Delivery.Failed(workflowId, message.key(),
                "the event could not be checkpointed and was not recorded (" + rootMessage(error) + "); send it again"));
        List<Runnable> released;
        synchronized (this) {
            released = cancelActions;
            cancelActions = null;
        }
        if (released != null) {
            released.forEach(EventTask::runQuietly);
        }
        Duration delay = backoff(attempt);
        LOG.warn("Poll of {} for {} in workflow {} failed (attempt {}), polling again in {} ms: {}",
                type.id(), taskId, workflowId, attempt, delay.toMillis(), String.valueOf(error));
        services.timers().schedule(() -> services.executor().execute(this::poll), delay);
    }

    private void commit(Event event, int attempt) {
        CompletionStage<Void> stage;
        try {
            stage = listener.eventCheckpointed(event, this);
        } catch (RuntimeException e) {
            stage = CompletableFuture.failedFuture(e);
        }
        if (stage == null) {
            stage = CompletableFuture.failedFuture(new IllegalStateException(
                    type.id() + ".eventCheckpointed returned null; it must return a stage [L4.3]"));
        }
        stage.whenComplete((ok, failure) -> committed(event, attempt, failure));
    }

    private void committed(Event event, int attempt, Throwable failure) {
        if (failure == null) {
            recordCommit();
            return;
        }
        if (attempt >= MAX_COMMIT_ATTEMPTS) {
            owner.waitFailed(node, type.id() + ".eventCheckpointed failed " + attempt + " times for event "
                    + event.id() + "; the event is checkpointed and resume commits it again", failure);
            return;
        }
        Duration delay = backoff(attempt);
        LOG.warn("Commit of event {} by {} failed (attempt {}), retrying in {} ms: {}", event.id(), type.id(),
                attempt, delay.toMillis(), failure.toString());
        services.timers().schedule(() -> services.executor().execute(() -> commit(event, attempt + 1)), delay);
    }

    /**
     * Records the commit and moves on without waiting for it. When the commit lets the workflow
     * finish, the final status records it (a successful workflow has every commit recorded [R5.5])
     * and no separate mark is written. Otherwise a mark is queued: the store applies writes in the
     * order they were queued, so any final status written later is durable only with or after it.
     * Should the mark be lost to a failing disk, the source has already forgotten the event, and a
     * resume merely calls the idempotent commit again [L4.2].
     */
    private void recordCommit() {
        if (owner.commitRecorded(node)) {
            return;
        }
        services.store().write(new StoreWrite.MarkCommitted(workflowId, taskId)).whenComplete((ok, failure) -> {
            if (failure != null) {
                LOG.warn("Recording the commit of {} in workflow {} failed; a resume commits again: {}", taskId,
                        workflowId, failure.toString());
            }
        });
    }

    private void fail(String message, Throwable cause) {
        settleReplies(inbox -> new Delivery.Failed(workflowId, inbox.key(), message));
        owner.waitFailed(node, message, cause);
    }

    /**
     * Ties a sender's reply to this wait: it is settled when the wait checkpoints its event, fails,
     * or is cancelled.
     *
     * @return false if the wait can no longer take a message
     */
    boolean expectReply(InboxMessage message, CompletableFuture<Delivery> reply) {
        synchronized (this) {
            if (cancelled || checkpointed) {
                return false;
            }
            if (replies == null) {
                replies = new ArrayList<>(1);
            }
            replies.add(new PendingReply(message, reply));
            return true;
        }
    }

    private void settleReplies(Function<InboxMessage, Delivery> outcome) {
        List<PendingReply> pending;
        synchronized (this) {
            pending = replies;
            replies = null;
        }
        if (pending != null) {
            for (PendingReply reply : pending) {
                reply.reply().complete(outcome.apply(reply.message()));
            }
        }
    }

    private static String rootMessage(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.toString() : root.getMessage();
    }

    private static Duration backoff(int attempt) {
        long millis = 100L << Math.min(attempt - 1, 16);
        return millis > MAX_BACKOFF.toMillis() ? MAX_BACKOFF : Duration.ofMillis(millis);
    }

    private static void runQuietly(Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            LOG.warn("A cancel action of a listener threw", e);
        }
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
        return services.timers().clock();
    }

    @Override
    public CompletionStage<Void> timerAt(Instant deadline) {
        CompletableFuture<Void> timer = services.timers().at(deadline);
        if (!timer.isDone()) {
            onCancel(() -> timer.cancel(false));
        }
        return timer;
    }

    @Override
    public CompletionStage<InboxMessage> inbox(String key) {
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("inbox key must be a non-empty string");
        }
        CompletableFuture<InboxMessage> message = services.inbox().subscribe(this, key);
        onCancel(() -> message.cancel(false));
        return message;
    }

    @Override
    public void onCancel(Runnable action) {
        synchronized (this) {
            if (!cancelled) {
                if (!checkpointed) {
                    if (cancelActions == null) {
                        cancelActions = new ArrayList<>(2);
                    }
                    cancelActions.add(action);
                }
                return;
            }
        }
        runQuietly(action);
    }

    @Override
    public synchronized boolean isCancelled() {
        return cancelled;
    }
}
