package dev.hark.listeners.timer;

import dev.hark.api.Event;
import java.time.Instant;
import java.util.Objects;

/**
 * A timer that reached its deadline.
 *
 * @param deadline the instant the timer was set for; the occurrence's identity
 */
public record TimerEvent(Instant deadline) implements Event {

    public TimerEvent {
        Objects.requireNonNull(deadline, "deadline");
    }

    @Override
    public String id() {
        return "timer@" + deadline;
    }
}
