package dev.hark.runtime.protocol;

import dev.hark.api.Event;
import dev.hark.api.EventListener;
import dev.hark.api.InboxMessage;
import dev.hark.runtime.concurrent.Futures;
import dev.hark.runtime.event.Delivery;
import dev.hark.runtime.logging.LogFields;
import dev.hark.runtime.metrics.ListenerMeters;
import dev.hark.runtime.plugin.PluginCalls;
import dev.hark.runtime.storage.EventClaim;
import dev.hark.runtime.storage.EventClaimedException;
import dev.hark.runtime.storage.RaceDecidedException;
import dev.hark.runtime.storage.StoreBusyException;
import dev.hark.runtime.storage.StoreWrite;
import dev.hark.runtime.storage.TaskState;
import dev.hark.workflow.internal.ListenerType;
import dev.hark.workflow.internal.ValueCodecException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives one wait through the exactly-once protocol:
 *
 * <ol>
 *   <li>poll a fresh listener instance with the stored arguments;
 *   <li>when the event comes, checkpoint it durably together with its claim (nothing else happens
 *       before the store confirms);
 *   <li>hand it to the workflow and call {@code eventCheckpointed} [R4.1];
 *   <li>record the commit.
 * </ol>
 *
 * A failed poll, or a checkpoint the store refused, polls again after a back-off: the event was not
 * committed, so its source still has it [L3.3]. A checkpoint refused because another wait claimed
 * the occurrence polls again once that wait has committed it, when it is a wait of this runtime,
 * else after a back-off [R7.1]. A wait cancelled before its checkpoint was queued checkpoints and
 * commits nothing; once the checkpoint is queued, its outcome stands. The listener sees the wait
 * through a {@link ListenerContext}; the senders of the messages it took wait in its
 * {@link SenderReplies}.
 */
public final class EventTask {

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

        /**
         * @param envelope the event this wait is about to checkpoint
         * @return the race this checkpoint decides, if the wait races in a {@code firstOf}, else null
         */
        default StoreWrite.Decision decision(int node, String envelope) {
            return null;
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(EventTask.class);
    private static final int MAX_COMMIT_ATTEMPTS = 8;
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    private static final Duration FIRST_CLAIM_BACKOFF = Duration.ofMillis(25);
    private static final Duration MAX_CLAIM_BACKOFF = Duration.ofSeconds(5);

    private final EventServices services;
    private final Owner owner;
    private final String workflowId;
    private final String taskId;
    private final int node;
    private final ListenerType type;
    private final String argsEnvelope;

    private EventListener<Object, Event> listener;
    private CompletionStage<Event> pollStage;
    /** The listener's {@link #onCancel} actions: run when the wait is cancelled or an attempt ends unsuccessfully. */
    private List<Runnable> cancelActions;
    /** The context's own timers and inbox registrations: released whenever an attempt ends, also by checkpoint. */
    private List<Runnable> releases;

    private final SenderReplies replies = new SenderReplies();
    private final ListenerContext context;
    private final ListenerMeters meters;
    private boolean cancelled;
    private boolean checkpointing;
    private boolean checkpointed;
    private int failedPolls;
    /** Whether this wait counts in {@code hark_waits_parked}: from its poll until the poll ends or it is cancelled. */
    private boolean parkedMetered;

    private int refusals;

    public EventTask(
            EventServices services,
            Owner owner,
            String workflowId,
            String taskId,
            int node,
            ListenerType type,
            String argsEnvelope) {
        this.services = services;
        this.owner = owner;
        this.workflowId = workflowId;
        this.taskId = taskId;
        this.node = node;
        this.type = type;
        this.argsEnvelope = argsEnvelope;
        this.context = new ListenerContext(this, services);
        this.meters = services.metrics().listener(type.id());
    }

    /** Starts polling. Call on the executor. */
    public void poll() {
        // The listener's own log lines while it starts polling, and the engine's, carry the wait.
        try (LogFields fields = logFields()) {
            pollLogged();
        }
    }

    private LogFields logFields() {
        return LogFields.of(workflowId, taskId, type.id());
    }

    private void pollLogged() {
        EventListener<Object, Event> fresh;
        Object args;
        try {
            fresh = PluginCalls.in(type.listenerClass(), type::newInstance);
            args = services.codec().decode(argsEnvelope, type.argsType());
        } catch (Throwable e) {
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
            Object decoded = args;
            stage = PluginCalls.in(fresh.getClass(), () -> fresh.pollForEvent(decoded, context));
        } catch (Throwable e) {
            pollFailed("Poll", e);
            return;
        }
        if (stage == null) {
            fail(type.id() + ".pollForEvent returned null; it must return a stage [L3.2]", null);
            return;
        }
        boolean cancelledMeanwhile;
        synchronized (this) {
            pollStage = stage;
            cancelledMeanwhile = cancelled;
            if (!cancelled && !parkedMetered) {
                parkedMetered = true;
                meters.waitParked();
            }
        }
        if (cancelledMeanwhile) {
            cancelStage(stage); // cancel() ran while the listener was polling, before it had this stage
        }
        // Runs on whichever thread completed the poll: the work up to the store's queue is short and
        // never blocks, and the durable part continues on the executor. handle, not whenComplete:
        // whenComplete's own stage would fail with a new CompletionException (stack trace and all)
        // for every wait cancelled, as on close().
        stage.handle((event, error) -> {
            polled(event, error);
            return null;
        });
    }

    /** Resumes a wait whose event was checkpointed before a crash: commit again, never poll [R4.1]. */
    public void recommit(String eventEnvelope) {
        Event event;
        List<EventClaim> claims;
        try {
            synchronized (this) {
                checkpointed = true;
                listener = type.newInstance();
            }
            event = (Event) services.codec().decode(eventEnvelope, type.eventType());
            claims = type.sharedSource() ? List.of(new EventClaim(type.id(), event.id())) : List.of();
        } catch (Throwable e) {
            owner.waitFailed(
                    node, "cannot read back the checkpointed event of " + type.id() + ": " + e.getMessage(), e);
            return;
        }
        // Waits refused by this claim meanwhile poll again once this commit is done, not after a back-off.
        CompletableFuture<Void> inFlight =
                claims.isEmpty() ? null : services.claims().register(claims);
        commit(event, 1, inFlight == null ? null : () -> services.claims().release(claims, inFlight));
    }

    /**
     * Cancels the wait: nothing is checkpointed or committed from here on, cancel actions run, and
     * timers of this wait are released. Does nothing once the event is checkpointed. If the
     * checkpoint is already queued, it completes as queued: a durable checkpoint is then committed
     * and its sender told so, a refused one ends the wait without polling again.
     */
    public void cancel() {
        List<Runnable> listenerActions;
        List<Runnable> released;
        CompletionStage<Event> stage;
        synchronized (this) {
            if (cancelled || checkpointed) {
                return;
            }
            cancelled = true;
            leaveParked();
            if (checkpointing) {
                return; // checkpointWritten decides, with the store's answer
            }
            listenerActions = cancelActions;
            cancelActions = null;
            released = takeReleases();
            stage = pollStage;
        }
        settleReplies(reply -> notWaiting(
                reply,
                "workflow '" + workflowId
                        + "' stopped waiting before the event was checkpointed; nothing was recorded"));
        runAll(listenerActions);
        // The listener's stage goes before the runtime's own timers and registrations: a stage
        // derived from one of them (a timer's thenApply) would otherwise fail first with a
        // CompletionException built, stack trace and all, for each wait (what was left of the cost
        // of close() per parked wait). Cancelled now, its dependents see it done and build nothing.
        if (stage != null) {
            cancelStage(stage);
        }
        runAll(released);
    }

    /**
     * Cancels the listener's stage. A plain {@link CompletableFuture} is completed with the
     * runtime's one shared {@link java.util.concurrent.CancellationException} (what its {@code
     * cancel} does, without a stack trace per wait); any other future is asked to cancel itself, so
     * that a listener's own {@code cancel} still runs.
     */
    private static void cancelStage(CompletionStage<Event> stage) {
        try {
            CompletableFuture<Event> future = stage.toCompletableFuture();
            if (future.getClass() == CompletableFuture.class) {
                Futures.release(future);
            } else {
                future.cancel(false);
            }
        } catch (UnsupportedOperationException notCancellable) {
            // the listener returned a stage without a future view; its onCancel actions ran
        }
    }

    private void polled(Event event, Throwable error) {
        long polledAt = System.nanoTime();
        synchronized (this) {
            leaveParked();
            if (cancelled) {
                return;
            }
        }
        if (error != null) {
            pollFailed("Poll", error);
            return;
        }
        if (event == null) {
            fail(type.id() + " completed its poll with null; it must complete with an event [L3.2]", null);
            return;
        }
        String eventId;
        String envelope;
        try {
            eventId = event.id();
            if (eventId == null || eventId.isEmpty()) {
                fail(
                        type.id() + " delivered an event whose id() is " + (eventId == null ? "null" : "empty")
                                + "; the id names the occurrence and is the key of exactly-once delivery [L3.5]",
                        null);
                return;
            }
            envelope = services.codec().encode(event, type.eventType());
        } catch (ValueCodecException e) {
            fail("event of " + type.id() + " cannot be checkpointed: " + e.getMessage() + " [L1.5]", e);
            return;
        } catch (Throwable e) {
            fail("event of " + type.id() + " cannot be checkpointed: " + e + " [L1.5]", e);
            return;
        }
        SenderReplies.PendingReply carrier;
        synchronized (this) {
            carrier = replies.carrying(eventId);
        }
        List<EventClaim> claims = claimsFor(eventId, carrier);
        StoreWrite checkpoint = new StoreWrite.PutTask(
                workflowId, taskId, TaskState.CHECKPOINTED, envelope, claims, owner.decision(node, envelope));
        CompletableFuture<Void> inFlight;
        CompletableFuture<Void> written;
        synchronized (this) {
            if (cancelled) {
                return;
            }
            checkpointing = true;
            inFlight = claims.isEmpty() ? null : services.claims().register(claims);
            // Queued under the lock: a cancel that comes later is queued behind it (the store applies
            // writes in order), so the workflow's CANCELED status can never precede this checkpoint.
            written = services.store().write(checkpoint);
        }
        written.whenCompleteAsync(
                (ok, failure) -> checkpointWritten(event, envelope, claims, inFlight, polledAt, failure),
                services.executor());
    }

    /** Leaves {@code hark_waits_parked}, once. Call holding the lock. */
    private void leaveParked() {
        if (parkedMetered) {
            parkedMetered = false;
            meters.waitUnparked();
        }
    }

    /** @param polledAt {@link System#nanoTime()} when the listener delivered the event */
    private void checkpointWritten(
            Event event,
            String envelope,
            List<EventClaim> claims,
            CompletableFuture<Void> inFlight,
            long polledAt,
            Throwable failure) {
        boolean stopped;
        List<Runnable> ended;
        synchronized (this) {
            checkpointing = false;
            stopped = cancelled;
            if (failure == null) {
                checkpointed = true;
                cancelActions = null;
                ended = takeReleases();
            } else {
                ended = null;
            }
        }
        if (failure != null) {
            if (inFlight != null) {
                services.claims().release(claims, inFlight);
            }
            Throwable cause = Futures.unwrap(failure);
            if (cause instanceof EventClaimedException refused) {
                claimRefused(event, refused, stopped);
            } else if (cause instanceof RaceDecidedException) {
                raceLost();
            } else if (stopped) {
                try (LogFields fields = logFields()) {
                    LOG.warn(
                            "Checkpoint of {} in workflow {} failed after the wait was cancelled: {}",
                            taskId,
                            workflowId,
                            failure.toString());
                }
                settleReplies(reply -> new Delivery.Failed(
                        workflowId,
                        reply.message().key(),
                        "the event could not be checkpointed and was not recorded (" + rootMessage(failure)
                                + "), and the workflow stopped waiting meanwhile",
                        cause instanceof StoreBusyException));
                endAttempt();
            } else {
                pollFailed("Checkpoint", failure);
            }
            return;
        }
        meters.eventCheckpointed(System.nanoTime() - polledAt);
        String eventId = event.id();
        settleReplies(reply -> reply.message().id().equals(eventId)
                ? new Delivery.Accepted(workflowId, reply.message().key(), eventId)
                : notWaiting(
                        reply,
                        "workflow '" + workflowId + "' took another event for this wait (" + eventId
                                + "); this one was not recorded"));
        runAll(ended);
        if (!stopped) {
            owner.eventCheckpointed(node, envelope);
        }
        commit(event, 1, inFlight == null ? null : () -> services.claims().release(claims, inFlight));
    }

    /**
     * Another wait took the occurrence [R7.1]: this attempt ends without a checkpoint. The sender
     * whose idempotency key was already recorded is told so (200, recorded earlier); other senders
     * learn that nothing was recorded.
     */
    private void claimRefused(Event event, EventClaimedException refused, boolean stopped) {
        EventClaim taken = refused.holder().claim();
        settleReplies(reply -> reply.idempotent()
                        && taken.equals(
                                EventClaim.inbox(workflowId, reply.message().id()))
                ? new Delivery.Accepted(
                        workflowId, reply.message().key(), reply.message().id(), true)
                : new Delivery.Failed(
                        workflowId,
                        reply.message().key(),
                        "the event was not recorded: " + refused.getMessage() + "; send it again"));
        endAttempt();
        if (stopped) {
            return;
        }
        int attempt;
        synchronized (this) {
            attempt = ++refusals;
            pollStage = null;
        }
        LOG.debug(
                "Event {} of {} was claimed by another wait; {} in workflow {} polls again",
                event.id(),
                type.id(),
                taskId,
                workflowId);
        Runnable again = onlyOnce(() -> services.executor().execute(this::poll));
        CompletableFuture<Void> holder = services.claims().holder(taken);
        if (taken.source().startsWith(EventClaim.INBOX_PREFIX)) {
            // A resent message, recorded before: there is nothing at a source to wait for, and the
            // wait's key must be registered again at once so that the next message finds it.
            again.run();
        } else if (holder != null) {
            // The claim's wait runs here: poll again once it has committed, so that the source has
            // forgotten the occurrence; the timer only bounds the wait, and goes when it is not needed.
            CompletableFuture<Void> bound =
                    services.timers().at(services.timers().clock().instant().plus(MAX_BACKOFF));
            bound.thenRun(again);
            holder.whenComplete((ok, ignored) -> {
                bound.cancel(false);
                again.run();
            });
        } else {
            services.timers().schedule(again, claimBackoff(attempt));
        }
    }

    /**
     * Another wait of this wait's race checkpointed first [R8.1]: this wait is over. Its event was
     * not recorded and its listener is never told to commit it, so the event stays at its source;
     * the wait never polls again, and the workflow cancels it as the race's loser.
     */
    private void raceLost() {
        synchronized (this) {
            cancelled = true;
            pollStage = null;
        }
        settleReplies(reply -> notWaiting(
                reply,
                "workflow '" + workflowId + "' took another event first, in a race this wait lost; this one was not"
                        + " recorded"));
        endAttempt();
    }

    /** @param what "Poll" or "Checkpoint": which step of the attempt failed */
    private void pollFailed(String what, Throwable error) {
        try (LogFields fields = logFields()) {
            pollFailedLogged(what, error);
        }
    }

    private void pollFailedLogged(String what, Throwable error) {
        int attempt;
        synchronized (this) {
            if (cancelled) {
                return;
            }
            attempt = ++failedPolls;
            pollStage = null;
        }
        meters.pollFailed();
        boolean busy = Futures.unwrap(error) instanceof StoreBusyException;
        settleReplies(reply -> new Delivery.Failed(
                workflowId,
                reply.message().key(),
                "the event could not be checkpointed and was not recorded (" + rootMessage(error) + "); send it again",
                busy));
        endAttempt();
        Duration delay = backoff(attempt);
        services.retryLog()
                .attemptFailed(
                        LOG,
                        type.id(),
                        attempt,
                        "{} for task {} of workflow {} on listener {} failed (attempt {}), polling again in {} ms: {}",
                        what,
                        taskId,
                        workflowId,
                        type.id(),
                        attempt,
                        delay.toMillis(),
                        String.valueOf(error));
        services.timers().schedule(() -> services.executor().execute(this::poll), delay);
    }

    /** Runs what an unsuccessful attempt leaves behind: the listener's cancel actions and the context's releases. */
    private void endAttempt() {
        List<Runnable> actions;
        synchronized (this) {
            actions = takeEndOfAttemptActions(true);
        }
        runAll(actions);
    }

    /** Call holding the lock. */
    private List<Runnable> takeEndOfAttemptActions(boolean withCancelActions) {
        List<Runnable> actions = new ArrayList<>();
        if (withCancelActions && cancelActions != null) {
            actions.addAll(cancelActions);
        }
        cancelActions = null;
        List<Runnable> released = takeReleases();
        if (released != null) {
            actions.addAll(released);
        }
        return actions;
    }

    /** Call holding the lock. */
    private List<Runnable> takeReleases() {
        List<Runnable> released = releases;
        releases = null;
        return released;
    }

    /**
     * @param releaseClaims run once the commit is done or given up, or null
     */
    private void commit(Event event, int attempt, Runnable releaseClaims) {
        CompletionStage<Void> stage;
        try (LogFields fields = logFields()) {
            EventListener<Object, Event> current = listener;
            stage = PluginCalls.in(current.getClass(), () -> current.eventCheckpointed(event, context));
        } catch (Throwable e) {
            stage = CompletableFuture.failedFuture(e);
        }
        if (stage == null) {
            stage = CompletableFuture.failedFuture(new IllegalStateException(
                    type.id() + ".eventCheckpointed returned null; it must return a stage [L4.3]"));
        }
        stage.whenComplete((ok, failure) -> committed(event, attempt, failure, releaseClaims));
    }

    private void committed(Event event, int attempt, Throwable failure, Runnable releaseClaims) {
        if (failure == null) {
            if (releaseClaims != null) {
                releaseClaims.run();
            }
            meters.eventCommitted();
            recordCommit();
            return;
        }
        if (attempt >= MAX_COMMIT_ATTEMPTS) {
            if (releaseClaims != null) {
                releaseClaims.run();
            }
            owner.waitFailed(
                    node,
                    type.id() + ".eventCheckpointed failed " + attempt + " times for event " + event.id()
                            + "; the event is checkpointed and resume commits it again",
                    failure);
            return;
        }
        meters.commitRetried();
        try (LogFields fields = logFields()) {
            retryCommit(event, attempt, failure, releaseClaims);
        }
    }

    private void retryCommit(Event event, int attempt, Throwable failure, Runnable releaseClaims) {
        Duration delay = backoff(attempt);
        services.retryLog()
                .attemptFailed(
                        LOG,
                        type.id(),
                        attempt,
                        "Commit of event {} for task {} of workflow {} by listener {} failed (attempt {} of {}), retrying in {}"
                                + " ms: {}",
                        event.id(),
                        taskId,
                        workflowId,
                        type.id(),
                        attempt,
                        MAX_COMMIT_ATTEMPTS,
                        delay.toMillis(),
                        String.valueOf(failure));
        services.timers()
                .schedule(() -> services.executor().execute(() -> commit(event, attempt + 1, releaseClaims)), delay);
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
                try (LogFields fields = logFields()) {
                    LOG.warn(
                            "Recording the commit of {} in workflow {} failed; a resume commits again: {}",
                            taskId,
                            workflowId,
                            failure.toString());
                }
            }
        });
    }

    private void fail(String message, Throwable cause) {
        settleReplies(reply -> new Delivery.Failed(workflowId, reply.message().key(), message));
        endAttempt();
        owner.waitFailed(node, message, cause);
    }

    /**
     * The claims a checkpoint of {@code eventId} records: the occurrence within a shared source, and
     * the sender's idempotency key within this workflow's inbox.
     */
    private List<EventClaim> claimsFor(String eventId, SenderReplies.PendingReply carrier) {
        boolean shared = type.sharedSource();
        boolean keyed = carrier != null && carrier.idempotent();
        if (!shared && !keyed) {
            return List.of();
        }
        if (shared && keyed) {
            return List.of(
                    new EventClaim(type.id(), eventId),
                    EventClaim.inbox(workflowId, carrier.message().id()));
        }
        return List.of(
                shared
                        ? new EventClaim(type.id(), eventId)
                        : EventClaim.inbox(workflowId, carrier.message().id()));
    }

    private Delivery notWaiting(SenderReplies.PendingReply reply, String message) {
        return new Delivery.NotWaiting(workflowId, reply.message().key(), Delivery.Reason.NO_WAIT_FOR_KEY, message);
    }

    /**
     * Ties a sender's reply to this wait: it is settled when the wait checkpoints its event, fails,
     * or is cancelled.
     *
     * @param idempotent whether the message's id is the sender's idempotency key
     * @return false if the wait can no longer take a message
     */
    boolean expectReply(InboxMessage message, boolean idempotent, CompletableFuture<Delivery> reply) {
        synchronized (this) {
            if (cancelled || checkpointed) {
                return false;
            }
            replies.add(message, idempotent, reply);
            return true;
        }
    }

    private void settleReplies(Function<SenderReplies.PendingReply, Delivery> outcome) {
        List<SenderReplies.PendingReply> pending;
        synchronized (this) {
            pending = replies.takeAll();
        }
        SenderReplies.settle(pending, outcome);
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

    /** Short at first (the claim's commit is usually in flight), doubling to a few seconds, with jitter. */
    private static Duration claimBackoff(int attempt) {
        long millis =
                Math.min(FIRST_CLAIM_BACKOFF.toMillis() << Math.min(attempt - 1, 16), MAX_CLAIM_BACKOFF.toMillis());
        return Duration.ofMillis(millis / 2 + ThreadLocalRandom.current().nextLong(millis / 2 + 1));
    }

    private static Runnable onlyOnce(Runnable action) {
        AtomicBoolean ran = new AtomicBoolean();
        return () -> {
            if (ran.compareAndSet(false, true)) {
                action.run();
            }
        };
    }

    private static void runAll(List<Runnable> actions) {
        if (actions != null) {
            actions.forEach(EventTask::runQuietly);
        }
    }

    private static void runQuietly(Runnable action) {
        try {
            action.run();
        } catch (Throwable e) {
            LOG.warn("A cancel or release action of a listener threw", e);
        }
    }

    String workflowId() {
        return workflowId;
    }

    /** @return the id of the task this wait is, within its workflow */
    public String taskId() {
        return taskId;
    }

    /** Registers a release of the context's own resources: run when the current attempt ends, however it ends. */
    void onRelease(Runnable release) {
        synchronized (this) {
            if (!cancelled && !checkpointed) {
                if (releases == null) {
                    releases = new ArrayList<>(2);
                }
                releases.add(release);
                return;
            }
        }
        runQuietly(release);
    }

    /** The listener's cancel action: run if the wait is cancelled, or its attempt ends unsuccessfully. */
    void onCancel(Runnable action) {
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

    synchronized boolean isCancelled() {
        return cancelled;
    }
}
