package dev.hark.runtime.event;

import dev.hark.runtime.storage.NodeLeases;

/**
 * What became of a message sent to a workflow's inbox: the answer the HTTP endpoint turns into a
 * status code, and that {@code Hark.sendEvent} returns to Java callers.
 */
public sealed interface Delivery {

    /**
     * The message became an event and that event is durably checkpointed (HTTP 200).
     *
     * @param earlier whether it was recorded by an earlier send with the same idempotency key, and
     *     this send recorded nothing new
     */
    record Accepted(String workflowId, String key, String eventId, boolean earlier) implements Delivery {

        /** Recorded by this send. */
        public Accepted(String workflowId, String key, String eventId) {
            this(workflowId, key, eventId, false);
        }
    }

    /**
     * No wait took the message, so nothing was recorded (HTTP 404, or 409 for
     * {@link Reason#ALREADY_RECEIVED}).
     */
    record NotWaiting(String workflowId, String key, Reason reason, String message) implements Delivery {}

    /**
     * A wait took the message but could not checkpoint it; it was not consumed (HTTP 500, or 503
     * with {@code Retry-After} when {@code busy}).
     *
     * @param busy whether the store refused the checkpoint only because its write queue was full
     *     ({@link dev.hark.runtime.storage.StoreBusyException}): the same message sent again
     *     shortly will likely be taken
     */
    record Failed(String workflowId, String key, String message, boolean busy) implements Delivery {

        /** Not caused by a full write queue. */
        public Failed(String workflowId, String key, String message) {
            this(workflowId, key, message, false);
        }
    }

    /**
     * The runtime is resuming its workflows after a restart and has not re-parked this one's waits
     * yet: nothing was recorded, and the same message sent again shortly will reach the wait (HTTP
     * 503 with {@code Retry-After}). Unlike {@link NotWaiting}, this is never final.
     *
     * @param resumed workflows re-parked so far
     * @param total workflows this resumption covers
     */
    record NotYetResumed(String workflowId, String key, int resumed, int total, String message) implements Delivery {}

    /**
     * The workflow runs but had no wait on the key yet, and the server buffers early events: the
     * message is durably buffered and goes to the first wait that registers for (workflow, key),
     * unless it expires first (HTTP 200 {@code "status": "buffered"}) [R9.1].
     *
     * @param eventId the id the event will carry: the sender's idempotency key, or one the runtime gave it
     * @param expiresAt when it is dropped if no wait took it
     * @param earlier whether an earlier send with the same idempotency key buffered it, and this
     *     send buffered nothing new
     */
    record Buffered(String workflowId, String key, String eventId, java.time.Instant expiresAt, boolean earlier)
            implements Delivery {}

    /**
     * The send named a definition to start, and no workflow had the id: the workflow was created
     * with the message buffered for its first wait on the key, in one transaction (HTTP 200
     * {@code "status": "started"}) [R9.6].
     */
    record Started(String workflowId, String key, String eventId, String definition, java.time.Instant expiresAt)
            implements Delivery {}

    /**
     * The workflow runs on another node of the cluster (several runtimes on one shared store):
     * nothing was recorded here. The HTTP endpoint forwards the request to {@code owner}, whose
     * answer is the answer; a Java caller sends the event to that node, or again later.
     *
     * @param owner the node that owns the workflow; {@code owner.leaseValid()} false means it is not
     *     renewing its lease and another node takes the workflow over within the lease
     */
    record Elsewhere(String workflowId, String key, NodeLeases.NodeRef owner, String message) implements Delivery {}

    /** Why no wait took a message. */
    enum Reason {
        /** No workflow has this id. */
        UNKNOWN_WORKFLOW,
        /** The workflow finished, failed or was canceled; it waits for nothing. */
        WORKFLOW_FINISHED,
        /** The workflow is stored but not running here: it must be resumed first. */
        WORKFLOW_NOT_RUNNING,
        /** The workflow runs but no wait for this key exists yet, or any more. */
        NO_WAIT_FOR_KEY,
        /** A message for this key was already taken by the workflow's wait. */
        ALREADY_RECEIVED
    }
}
