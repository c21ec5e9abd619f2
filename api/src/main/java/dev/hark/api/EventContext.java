package dev.hark.api;

import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.CompletionStage;

/**
 * What the runtime gives a listener for one wait: who is waiting, a clock, cheap timers, and a
 * cancellation signal.
 *
 * <p>A context is scoped to one wait (one event task of one workflow). Timers obtained through it
 * are released when the wait is cancelled, so a listener that only uses the context's facilities
 * needs no cleanup of its own.
 */
public interface EventContext {

    /** @return the id of the workflow that is waiting */
    String workflowId();

    /** @return the id of the event task within that workflow, stable across restarts */
    String taskId();

    /**
     * [R6.1] The runtime's clock. Listeners SHOULD read time from it rather than from the system
     * clock so that tests can control time.
     *
     * @return the clock of the runtime
     */
    Clock clock();

    /**
     * [R6.2] A timer that completes at or after {@code deadline} on the runtime's single scheduler
     * thread, holding no thread while it waits. A deadline already past completes at once.
     * Dependent actions MUST NOT block: they run on a thread shared by every timer.
     *
     * <p>If the wait ends first — cancelled, its attempt failed, or another event checkpointed — the
     * returned stage is completed exceptionally with a {@link java.util.concurrent.CancellationException}
     * and the timer is released.
     *
     * @param deadline the instant at which the returned stage completes
     * @return a stage that completes with {@code null} at the deadline
     */
    CompletionStage<Void> timerAt(Instant deadline);

    /**
     * [R6.3] Registers an action that the runtime runs once if this wait is cancelled before its
     * event is checkpointed (the workflow was cancelled, deleted, failed elsewhere, or the runtime
     * shut down), or when this poll attempt failed and the runtime is about to poll again. A listener that holds resources outside the context SHOULD release them here
     * [L3.4]. If the wait is already cancelled, the action runs at once on the calling thread.
     *
     * @param action a short, non-blocking action
     */
    void onCancel(Runnable action);

    /**
     * [R6.4] Waits for the next message sent to this workflow under {@code key} through the
     * runtime's inbox. Messages are addressed by the pair (workflow id, key): waits of other
     * workflows on the same key never see them. A message sent while no wait is registered for its
     * pair is refused to its sender (HTTP 404), never queued.
     *
     * <p>The sender's reply is tied to this wait: it is told the message was accepted only once this
     * wait's event is durably checkpointed, and told it failed if the checkpoint fails or the wait is
     * cancelled first. The registration is released when the wait ends, however it ends.
     *
     * <p>An event made from a message MUST carry the message's {@link InboxMessage#id()} as its
     * {@link Event#id()} [R6.4]: that is how the runtime knows which sender's message was consumed
     * when a wait listens on several keys, and the id is the sender's idempotency key when it gave
     * one [R7.3].
     *
     * @param key the key senders address, non-empty
     * @return a stage that completes with the message
     */
    CompletionStage<InboxMessage> inbox(String key);

    /** @return whether this wait has been cancelled */
    boolean isCancelled();
}
