package dev.hark.runtime.storage;

import java.util.Objects;

/**
 * An HTTP event kept for a running workflow that had no wait on its key yet [R9.1]: delivered to
 * the first wait that registers for (workflow, key), oldest first, or dropped after its expiry.
 *
 * @param eventId the sender's idempotency key, or an id the runtime generated; the id the delivered
 *     event carries, claimed in the workflow's inbox scope by its checkpoint [R7.3]
 * @param payloadJson the event's payload as JSON
 * @param receivedAtMillis when it was buffered, epoch milliseconds
 * @param expiresAtMillis when it is dropped if no wait took it, epoch milliseconds
 */
public record EarlyEventRecord(
        String workflowId,
        String eventKey,
        String eventId,
        String payloadJson,
        long receivedAtMillis,
        long expiresAtMillis) {

    public EarlyEventRecord {
        Objects.requireNonNull(workflowId, "workflowId");
        Objects.requireNonNull(eventKey, "eventKey");
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(payloadJson, "payloadJson");
    }
}
