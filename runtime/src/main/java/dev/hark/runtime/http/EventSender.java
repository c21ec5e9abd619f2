package dev.hark.runtime.http;

import dev.hark.runtime.event.Delivery;
import dev.hark.runtime.storage.NodeLeases;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** Where the endpoint hands a parsed event: the runtime's inbox. */
@FunctionalInterface
public interface EventSender {
    /**
     * @param idempotencyKey the sender's idempotency key (the event's id), or null
     */
    CompletableFuture<Delivery> send(String workflowId, String eventKey, Object payload, String idempotencyKey);

    /**
     * @return null if a send may start a workflow of {@code definition} [R9.7], else why not (the
     *     server starts none on events, or not this definition)
     */
    default String startRefusal(String definition) {
        return "this server starts no workflow on an event (hark serve --start-on-event)";
    }

    /**
     * @return this node's leases when the runtime shares its store with other nodes (then a
     *     {@link Delivery.Elsewhere} is forwarded to the owner), else null
     */
    default NodeLeases nodeLeases() {
        return null;
    }

    /**
     * A send with a start option [R9.6]: starts the workflow from {@code definition} with
     * {@code input} when no workflow has the id, with the event buffered for its first wait on the
     * key; otherwise a plain send. Call only when {@link #startRefusal} allowed the definition.
     */
    default CompletableFuture<Delivery> sendOrStart(
            String workflowId,
            String eventKey,
            Object payload,
            String idempotencyKey,
            String definition,
            Map<String, Object> input) {
        throw new UnsupportedOperationException(startRefusal(definition));
    }
}
