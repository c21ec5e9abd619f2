package dev.hark.tck;

import dev.hark.api.Event;
import dev.hark.api.EventListener;
import dev.hark.runtime.testkit.StoredForms;
import org.opentest4j.TestAbortedException;

/**
 * One generation of the listener: its classes loaded anew by a {@link FreshListenerClassLoader}, as
 * a new process would load them (static fields empty). Instances of different generations share
 * nothing but the source.
 */
final class ListenerGeneration<A, E extends Event> {

    private final Class<?> type;

    ListenerGeneration(Class<?> listener) {
        this.type = FreshListenerClassLoader.freshCopyOf(listener);
    }

    @SuppressWarnings("unchecked")
    EventListener<A, E> instance() {
        try {
            return (EventListener<A, E>) type.getConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new TestAbortedException(
                    "precondition L1.2 broken (the listener loaded anew cannot be created: " + e + ")");
        }
    }

    /** @return an event this generation polled, through JSON, as the runtime hands it to the commit */
    @SuppressWarnings("unchecked")
    E roundTrip(E event) {
        return (E) StoredForms.of(type).roundTripEvent(event);
    }
}
