package dev.hark.runtime.testkit;

import dev.hark.api.Event;
import dev.hark.workflow.internal.ListenerType;
import dev.hark.workflow.internal.ValueCodec;

/**
 * A listener's values as the runtime stores them: checked as {@code Dag.waitForEvent} checks the
 * class, and sent through the same JSON the runtime writes for a parked wait's arguments and a
 * checkpointed event. For conformance kits and listener authors' tests: what survives here survives
 * a restart.
 */
public final class StoredForms {

    private final ListenerType type;
    private final ValueCodec codec;

    private StoredForms(ListenerType type, ClassLoader loader) {
        this.type = type;
        this.codec = new ValueCodec(loader);
    }

    /**
     * @param listener a listener class
     * @return its stored forms
     * @throws IllegalArgumentException with the runtime's reason (and rule) when the class is not a
     *     listener the runtime can use — exactly as {@code Dag.waitForEvent} would refuse it
     */
    public static StoredForms of(Class<?> listener) {
        return new StoredForms(ListenerType.of(listener), listener.getClassLoader());
    }

    /** @return {@code args} written as a parked wait stores them and read back as its next poll gets them */
    public Object roundTripArguments(Object args) {
        return codec.decode(codec.encode(args, type.argsType()), type.argsType());
    }

    /** @return {@code event} written as a checkpoint stores it and read back as the commit gets it */
    public Event roundTripEvent(Event event) {
        return readEvent(storeEvent(event));
    }

    /** @return the JSON a checkpoint of {@code event} stores */
    public String storeEvent(Event event) {
        return codec.encode(event, type.eventType());
    }

    /** @return the event in a checkpoint's stored JSON, as a resumed workflow reads it */
    public Event readEvent(String stored) {
        return (Event) codec.decode(stored, type.eventType());
    }
}
