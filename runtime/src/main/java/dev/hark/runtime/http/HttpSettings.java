package dev.hark.runtime.http;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the HTTP event endpoint.
 *
 * @param host the address to bind; 127.0.0.1 by default, so nothing outside the machine can send
 *     events unless told to
 * @param port the port; 8000 by default, as Ray's; 0 picks a free one
 * @param maxBodyBytes requests with a larger body are refused with 413
 * @param replyTimeout how long a request may wait for its event's checkpoint before it is answered
 *     503; the event may still be recorded, and a retry then gets 409
 */
public record HttpSettings(String host, int port, int maxBodyBytes, Duration replyTimeout) {

    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 8000;
    public static final int DEFAULT_MAX_BODY_BYTES = 1 << 20;
    public static final Duration DEFAULT_REPLY_TIMEOUT = Duration.ofSeconds(30);

    public HttpSettings {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(replyTimeout, "replyTimeout");
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be 0-65535, was " + port);
        }
        if (maxBodyBytes < 64) {
            throw new IllegalArgumentException("maxBodyBytes must be at least 64, was " + maxBodyBytes);
        }
        if (replyTimeout.isNegative() || replyTimeout.isZero()) {
            throw new IllegalArgumentException("replyTimeout must be positive, was " + replyTimeout);
        }
    }

    /** @return 127.0.0.1:8000, 1 MiB bodies, 30 s to checkpoint */
    public static HttpSettings defaults() {
        return new HttpSettings(DEFAULT_HOST, DEFAULT_PORT, DEFAULT_MAX_BODY_BYTES, DEFAULT_REPLY_TIMEOUT);
    }

    public HttpSettings withHost(String newHost) {
        return new HttpSettings(newHost, port, maxBodyBytes, replyTimeout);
    }

    public HttpSettings withPort(int newPort) {
        return new HttpSettings(host, newPort, maxBodyBytes, replyTimeout);
    }

    public HttpSettings withMaxBodyBytes(int newMaxBodyBytes) {
        return new HttpSettings(host, port, newMaxBodyBytes, replyTimeout);
    }

    public HttpSettings withReplyTimeout(Duration newReplyTimeout) {
        return new HttpSettings(host, port, maxBodyBytes, newReplyTimeout);
    }
}
