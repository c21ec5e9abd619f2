package dev.hark.runtime.storage.postgres;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Objects;

/**
 * Who this node is among the nodes that share a database, and how long its lease lasts.
 *
 * @param name the name in logs and in the other nodes' messages (not unique: each opening of the
 *     store is a new node with an id of its own)
 * @param lease how long the node's workflows stay its own without a renewal: the longest a dead or
 *     paused node keeps others from taking them over when its database session does not end
 */
public record NodeSettings(String name, Duration lease) {

    public static final Duration DEFAULT_LEASE = Duration.ofSeconds(10);
    /** Below this a pause of the JVM (a garbage collection) loses the lease too easily. */
    public static final Duration MIN_LEASE = Duration.ofMillis(500);

    static final int MAX_NAME_LENGTH = 200;

    /** @throws IllegalArgumentException for a blank or overlong name, or a lease below {@link #MIN_LEASE} */
    public NodeSettings {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(lease, "lease");
        if (name.isBlank()) {
            throw new IllegalArgumentException("the node name must not be blank");
        }
        if (name.length() > MAX_NAME_LENGTH) {
            throw new IllegalArgumentException(
                    "the node name must be at most " + MAX_NAME_LENGTH + " characters, was " + name.length());
        }
        if (lease.compareTo(MIN_LEASE) < 0) {
            throw new IllegalArgumentException(
                    "the lease must be at least " + MIN_LEASE.toMillis() + " ms, was " + lease.toMillis() + " ms");
        }
    }

    /** @return the host name and process id as the name, and the {@linkplain #DEFAULT_LEASE default lease} */
    public static NodeSettings defaults() {
        return new NodeSettings(defaultName(), DEFAULT_LEASE);
    }

    /** @return {@code host-pid} */
    public static String defaultName() {
        return host() + "-" + ProcessHandle.current().pid();
    }

    private static String host() {
        String fromEnvironment = System.getenv("HOSTNAME");
        if (fromEnvironment != null && !fromEnvironment.isBlank()) {
            return fromEnvironment.strip();
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}
