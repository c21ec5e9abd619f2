package dev.hark.api;

import java.util.Objects;

/**
 * A message sent to a workflow through the runtime's inbox — by the HTTP endpoint
 * ({@code POST /event/send_event/{workflow_id}}) or by an embedding application.
 *
 * @param id the sender's idempotency key when it gave one [R7.3], else a unique id the runtime gave
 *     this delivery
 * @param key the key the sender addressed (the HTTP body's {@code event_key})
 * @param payload the sender's value as plain JSON data: a {@code Map}, {@code List}, {@code String},
 *     {@code Number}, {@code Boolean}, or null
 */
public record InboxMessage(String id, String key, Object payload) {

    public InboxMessage {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(key, "key");
    }
}
