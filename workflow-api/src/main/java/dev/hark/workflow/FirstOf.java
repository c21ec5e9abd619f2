package dev.hark.workflow;

import java.util.Optional;

/**
 * The output of {@link Dag#firstOf}: which of its waits took an event first, and that event. Every
 * other wait of the race was cancelled and consumed nothing at its source [R8.1].
 *
 * @param index the position of the winning wait among the arguments of {@code firstOf}, from 0
 * @param event the event the winning wait checkpointed
 * @param <E> the events' common type
 */
public record FirstOf<E>(int index, E event) {

    /**
     * @return the event as {@code type} if the winner's event is one, else empty: for a race over
     *     waits of different listeners
     */
    public <T> Optional<T> eventAs(Class<T> type) {
        return type.isInstance(event) ? Optional.of(type.cast(event)) : Optional.empty();
    }
}
