package dev.hark.api;

/**
 * One occurrence of something a workflow waits for.
 *
 * <p>Implementations are plain values, typically records, that Jackson can serialize: the runtime
 * checkpoints the event as JSON before any workflow code sees it, and after a crash it hands the
 * deserialized copy back to {@link EventListener#eventCheckpointed}.
 *
 * <ul>
 *   <li>[L1.5] An event MUST survive a Jackson round trip: the copy read back MUST be
 *       {@code equals} to the original and MUST return the same {@link #id()}.
 *   <li>[L3.5] The same occurrence, delivered again by its source because it was never committed,
 *       MUST carry the same {@link #id()}.
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
