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
 *   <li>[L1.1] (MUST) A listener is a public, concrete, top-level or static nested class implementing
 *       {@code EventListener<A, E>}.
 *   <li>[L1.2] (MUST) It has a public no-argument constructor, the only constructor the runtime calls.
 *       Instances are never serialized.
 *   <li>[L1.3] (MUST) It is registered in {@code META-INF/services/dev.hark.api.EventListener} of its
 *       jar, and every entry there names a class of the jar's plugin.
 *   <li>[L1.4] (MUST) Its argument type {@code A} survives a Jackson round trip with an equal value: a
 *       wait is persisted as (listener class, args as JSON).
 *   <li>[L1.6] (MUST) Its id — the fully qualified class name — stays stable across releases, or
 *       parked workflows cannot resume.
 *   <li>[L1.7] (MUST) Its static initializer and its public no-argument constructor complete without
 *       throwing, promptly (within the loader's time bound, 10 s by default, system property
 *       {@code hark.plugins.load-timeout-ms}). The plugin loader creates one instance at load to find
 *       out, on a separate daemon thread; create clients lazily where they are used. A class missing
 *       at run time is reported by name: bundle the jar that holds it in the plugin folder.
 *   <li>[L1.8] (MUST) Its id is unique across the application class path and every plugin. The class
 *       path and plugins loaded earlier (plugins load in name order) keep the id; a later plugin that
 *       repeats it is refused.
 * </ul>
 *
 * <h2>Statelessness</h2>
 * <ul>
 *   <li>[L2.1] (MUST) No non-final instance fields and no non-final {@code static} fields (inherited
 *       ones included). Final references to clients or resources, constants and loggers are allowed.
 *       A final {@code static} field holding a mutable container (a {@code Map}, {@code List},
 *       {@code Set}, other {@code Collection}, an array, an {@code Atomic*}) loads with a warning:
 *       whatever it holds is shared by every wait and lost on restart, so it may only be a cache.
 *   <li>[L2.2] (MUST) Nothing an instance holds matters for correctness: a fresh instance given the
 *       same arguments behaves the same.
 * </ul>
 *
 * <p>Each rule is quoted from {@code docs/SPEC.md}, which also gives its intent; the conformance kit
 * ({@code dev.hark.tck.ListenerVerification}) checks them.
 *
 * @param <A> the arguments that address a channel of the source, e.g. a deadline or a queue name
 * @param <E> the event type
 */
public interface EventListener<A, E extends Event> {

    /**
     * Starts waiting for the next event addressed by {@code args}.
     *
     * <ul>
     *   <li>[L3.1] (MUST) {@code pollForEvent} does not block the calling thread. A pending wait holds
     *       memory, not a thread.
     *   <li>[L3.2] (MUST) It returns a non-null stage that completes with a non-null event, or
     *       exceptionally when the source failed.
     *   <li>[L3.3] (MUST) It does not consume the event: until {@code eventCheckpointed} the source can
     *       deliver the same occurrence again.
     *   <li>[L3.4] (MUST / SHOULD) A cancelled wait MUST NOT consume an event, and SHOULD release what it
     *       holds ({@code EventContext.onCancel}).
     * </ul>
     *
     * <p>Return an incomplete stage and complete it from the source's own callback, or from a timer of
     * the {@code context}. A stage completed exceptionally makes the runtime poll again after a
     * back-off.
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
     *   <li>[R4.1] (guarantee) {@code eventCheckpointed} is called only after the event is durable, at
     *       least once per checkpointed event, possibly on a fresh instance with a deserialized copy.
     *   <li>[L4.2] (MUST) {@code eventCheckpointed} is idempotent: a repeated call for an event already
     *       committed succeeds and commits nothing twice.
     *   <li>[L4.3] (SHOULD) {@code eventCheckpointed} does not block; its stage completes when the commit
     *       is done. A failed stage is retried with back-off (8 attempts, then the workflow fails and
     *       {@code resume} commits again).
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
