package dev.hark.workflow;

import java.time.Instant;

/**
 * The tasks behind {@code Dag.sleep} and timeouts: each fixes a deadline when the wait starts, not
 * when it is defined, and its output is checkpointed like any task's.
 */
final class Sleeps {

    private Sleeps() {}

    static Instant deadlineAfter(long millis) {
        return Instant.now().plusMillis(millis);
    }

    /** A timeout that starts once its wait's arguments are known: {@code ready} is those arguments. */
    static Instant deadlineAfterReady(long millis, Object ready) {
        return Instant.now().plusMillis(millis);
    }
}
