package dev.hark.tck;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * The small external context a listener author supplies to {@link ListenerVerification}: how to
 * address a fresh channel of the source, how to publish an event into it, and optionally how to
 * see what the source considers committed.
 *
 * <p>A "channel" is whatever the listener's arguments address: a queue, a folder, a topic
 * partition, an inbox key, a deadline. The TCK never waits on one channel from two workflows at
 * once; waits on different channels run concurrently.
 *
 * @param <A> the listener's argument type
 */
public interface SourceFixture<A> extends AutoCloseable {

    /**
     * @param name a name unique within this JVM (letters, digits, '-'), to use or ignore
     * @return arguments that address a fresh, empty channel of the source
     */
    A newChannel(String name);

    /**
     * Publishes one event into {@code channel}.
     *
     * @param payload a string the TCK generated; carry it in the event if the source has payloads
     * @param publication the workflow the event is for, and the runtime's inbox
     * @return completes with the {@code id()} the listener's event for this occurrence will carry
     */
    CompletionStage<String> publish(A channel, String payload, Publication publication) throws Exception;

    /**
     * Optional inspection: the ids of events the source has forgotten because a listener committed
     * them. When present, the TCK also checks that nothing is committed before its checkpoint
     * [L3.3, L3.4] and that a commit really commits [L4.4].
     *
     * @return the committed ids of {@code channel}, or empty if the source cannot tell
     */
    default Optional<Set<String>> committed(A channel) {
        return Optional.empty();
    }

    /**
     * @return the capabilities this source lacks, each with the reason shown on the skipped tests
     */
    default Map<Capability, String> unsupported() {
        return Map.of();
    }

    /** Releases what the fixture created (folders, connections). Called after each test. */
    @Override
    default void close() throws Exception {}
}
