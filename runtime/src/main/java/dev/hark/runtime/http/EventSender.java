package dev.hark.runtime.http;

import dev.hark.runtime.event.Delivery;
import java.util.concurrent.CompletableFuture;

/** Where the endpoint hands a parsed event: the runtime's inbox. */
@FunctionalInterface
public interface EventSender {
    CompletableFuture<Delivery> send(String workflowId, String eventKey, Object payload);
}
