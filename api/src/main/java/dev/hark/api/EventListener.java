package dev.hark.api;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A source of events that a workflow can wait for with {@code waitForEvent(ListenerClass, args)}.
 *
 * <p>The runtime runs each wait through the exactly-once protocol: it calls
 * {@link #pollForEvent}, checkpoints the event durably when the returned stage completes, hands the
 * event to the workflow, then calls {@link #eventCheckpointed} so that the listener can commit the
 * event at its source. If the runtime crashes before the checkpoint it polls again on resume, with
 * a fresh instance and the same arguments; if it crashes after the checkpoint it never polls again
 * and calls {@code eventCheckpointed} again with the stored event.
 *
 * <h2>Definition</h2>
 * <ul>
 *   <li>[L1.1] An implementation MUST be a public, concrete, top-level or static nested class.
 *   <li>[L1.2] It MUST have a public no-argument constructor; it is the only constructor the runtime
 *       calls. Instances are never serialized.
 *   <li>[L1.3] It MUST be registered in {@code META-INF/services/dev.hark.api.EventListener} of its
 *       jar to be found in a plugin.
 *   <li>[L1.4] The argument type {@code A} MUST survive a Jackson round trip with an equal value:
 *       the definition of a wait is (listener class, arguments), and it is persisted as JSON.
 *   <li>[L1.6] The listener id is the fully qualified class name; it MUST stay stable across
 *       releases for workflows that are parked on it to resume.
 *   <li>[L1.7] Its static initializer and no-argument constructor MUST NOT throw.
 *   <li>[L1.8] Its id MUST be unique across the class path and every plugin.
 * </ul>
 *
 * <h2>Statelessness</h2>
 * <ul>
 *   <li>[L2.1] An implementation MUST NOT declare non-final instance fields. Final references to
 *       clients or other resources are allowed.
 *   <li>[L2.2] Nothing an instance holds may matter for correctness: a fresh instance given the
 *       same arguments MUST behave the same.
 * </ul>
 *
 * @param <A> the arguments that address a channel of the source, e.g. a deadline or a queue name
 * @param <E> the event type
 */
public interface EventListener<A, E extends Event> {

    /**
     * Starts waiting for the next event addressed by {@code args}.
     *
     * <ul>
     *   <li>[L3.1] MUST NOT block the calling thread; a pending wait holds memory, not a thread.
     *       Return an incomplete stage and complete it from the source's own callback, or from a
     *       timer of the {@code context}.
     *   <li>[L3.2] MUST return a non-null stage that completes with a non-null event, or
     *       exceptionally when the source failed (the runtime then polls again after a back-off).
     *   <li>[L3.3] MUST NOT consume the event at its source: until {@link #eventCheckpointed} is
     *       called the source MUST be able to deliver the same occurrence again.
     *   <li>[L3.4] When the wait is cancelled (see {@link EventContext#onCancel}), MUST NOT consume
     *       any event, and SHOULD release what it holds for this wait.
     * </ul>
     *
     * @param args the arguments given to {@code waitForEvent}, deserialized from the checkpoint
     * @param context the wait this poll serves
     * @return a stage that completes with the event
     */
    CompletionStage<E> pollForEvent(A args, EventContext context);

    /**
     * Called after the event is durably checkpointed: the listener can now commit it at its source
     * so that the source forgets it.
     *
     * <ul>
     *   <li>[R4.1] The runtime calls this only after the event is durable, at least once per
     *       checkpointed event, possibly on a fresh instance and with a deserialized copy.
     *   <li>[L4.2] MUST be idempotent: after a crash it is called again for an event it may already
     *       have committed, and that call MUST succeed without committing anything twice.
     *   <li>[L4.3] SHOULD NOT block the calling thread; the returned stage completes when the commit
     *       is done. If it completes exceptionally the runtime retries with a back-off.
     * </ul>
     *
     * @param event the checkpointed event
     * @param context the wait this event satisfied
     * @return a stage that completes when the commit is done
     */
    default CompletionStage<Void> eventCheckpointed(E event, EventContext context) {
        return CompletableFuture.completedFuture(null);
    }
}
