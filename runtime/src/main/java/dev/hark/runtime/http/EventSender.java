package dev.hark.runtime.http;

import dev.hark.runtime.event.Delivery;
import java.util.concurrent.CompletableFuture;

/** Where the endpoint hands a parsed event: the runtime's inbox. */
@FunctionalInterface
public interface EventSender {
    /**
     * @param idempotencyKey the sender's idempotency key (the event's id), or null
     */
    CompletableFuture<Delivery> send(String workflowId, String eventKey, Object payload, String idempotencyKey);
}
