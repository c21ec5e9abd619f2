package dev.hark.listeners.http;

import dev.hark.api.Event;
import java.util.Objects;

/**
 * An event sent over HTTP (or through the runtime's inbox from Java).
 *
 * @param eventKey the {@code event_key} of the request body
 * @param eventPayload the {@code event_payload}: any JSON value, as plain data ({@code Map},
 *     {@code List}, {@code String}, {@code Number}, {@code Boolean}, or null)
 * @param deliveryId the sender's idempotency key when it gave one, else the id the runtime gave this
 *     delivery; the occurrence's identity
 */
public record HttpEvent(String eventKey, Object eventPayload, String deliveryId) implements Event {

    public HttpEvent {
        Objects.requireNonNull(eventKey, "eventKey");
        Objects.requireNonNull(deliveryId, "deliveryId");
    }

    @Override
    public String id() {
        return deliveryId;
    }
}
