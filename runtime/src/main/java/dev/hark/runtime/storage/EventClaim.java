package dev.hark.runtime.storage;

import java.util.Objects;

/**
 * A claim on one occurrence of an event: within {@code source}, the event {@code eventId} is taken.
 * The store keeps at most one claim per (source, event id), ever (until the retention sweep), so
 * an occurrence that two waits saw is checkpointed by only one of them [R7.1].
 *
 * @param source the namespace of the id: a listener's id for a shared source, or the inbox of one
 *     workflow for idempotency keys (see {@link #inbox})
 * @param eventId the occurrence's id within the source ({@code Event.id()}, or an idempotency key)
 */
public record EventClaim(String source, String eventId) {

    /** Prefix of the sources that scope idempotency keys to one workflow's inbox. */
    public static final String INBOX_PREFIX = "inbox:";

    public EventClaim {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(eventId, "eventId");
    }

    /** The claim of an idempotency key sent to a workflow's inbox: keys are scoped to the workflow. */
    public static EventClaim inbox(String workflowId, String idempotencyKey) {
        return new EventClaim(INBOX_PREFIX + workflowId, idempotencyKey);
    }
}
