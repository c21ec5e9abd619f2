package dev.hark.workflow;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The output of a wait with a timeout ({@code Dag.waitForEvent(listener, args, timeout)}): the event,
 * or the deadline that passed first. On a timeout the listener's wait was cancelled and consumed
 * nothing at its source, so the event that comes later is there for the next wait [R8.2].
 *
 * @param <E> the listener's event type
 */
public sealed interface WaitResult<E> permits WaitResult.Received, WaitResult.TimedOut {

    /** @return the event, or empty if the deadline passed first */
    Optional<E> received();

    /** @return whether the deadline passed before an event was checkpointed */
    default boolean timedOut() {
        return this instanceof TimedOut;
    }

    /**
     * The event came before the deadline.
     *
     * @param event the checkpointed event
     */
    record Received<E>(E event) implements WaitResult<E> {

        public Received {
            Objects.requireNonNull(event, "event");
        }

        @Override
        public Optional<E> received() {
            return Optional.of(event);
        }
    }

    /**
     * The deadline passed first.
     *
     * @param deadline the deadline, as it was fixed (and checkpointed) when the wait began
     */
    record TimedOut<E>(Instant deadline) implements WaitResult<E> {

        public TimedOut {
            Objects.requireNonNull(deadline, "deadline");
        }

        @Override
        public Optional<E> received() {
            return Optional.empty();
        }
    }
}
