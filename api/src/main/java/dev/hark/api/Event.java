package dev.hark.api;

/**
 * One occurrence of something a workflow waits for.
 *
 * <p>Implementations are plain values, typically records, that Jackson can serialize: the runtime
 * checkpoints the event as JSON before any workflow code sees it, and after a crash it hands the
 * deserialized copy back to {@link EventListener#eventCheckpointed}.
 *
 * <ul>
 *   <li>[L1.5] (MUST) Its event type {@code E} survives a Jackson round trip: the copy read back is
 *       {@code equals} to the original and has the same {@link #id()}.
 *   <li>[L3.5] (MUST) The same occurrence, redelivered because it was never committed, carries the
 *       same {@link #id()}.
 * </ul>
 */
public interface Event {

    /**
     * The identity of this occurrence within its source: the key of exactly-once delivery.
     *
     * @return a non-null, non-empty identifier, stable across redeliveries and serialization
     */
    String id();
}
