package dev.hark.workflow;

import java.time.Instant;

/** The task behind {@code Dag.sleep}: fixes the deadline when the sleep starts, not when it is defined. */
final class Sleeps {

    private Sleeps() {}

    static Instant deadlineAfter(long millis) {
        return Instant.now().plusMillis(millis);
    }
}
