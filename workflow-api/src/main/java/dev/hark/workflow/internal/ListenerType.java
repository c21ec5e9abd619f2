package dev.hark.workflow.internal;

import dev.hark.api.Event;
import dev.hark.api.EventListener;
import dev.hark.api.UnsharedSource;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;
import tools.jackson.databind.JavaType;

/**
 * A listener class checked against the definition rules, with its argument and event types
 * resolved. One instance per class is cached and shared by every wait on it.
 *
 * @param listenerClass the listener
 * @param argsType {@code A} of {@code EventListener<A, E>}
 * @param eventType {@code E} of {@code EventListener<A, E>}
 */
public record ListenerType(Class<?> listenerClass, JavaType argsType, JavaType eventType) {

    /** Per class, and gone with it: listener classes of closed plugins or reloaded class loaders are not kept. */
    private static final ClassValue<ListenerType> CACHE = new ClassValue<>() {
        @Override
        protected ListenerType computeValue(Class<?> type) {
            return inspect(type);
        }
    };

    /**
     * @throws IllegalArgumentException naming the rule the class breaks
     */
    public static ListenerType of(Class<?> listenerClass) {
        return CACHE.get(listenerClass);
    }

    private static ListenerType inspect(Class<?> type) {
        String name = type.getName();
        if (!EventListener.class.isAssignableFrom(type)) {
            throw new IllegalArgumentException(name + " does not implement " + EventListener.class.getName()
                    + "; waitForEvent takes a listener class");
        }
        int modifiers = type.getModifiers();
        if (type.isInterface() || Modifier.isAbstract(modifiers)) {
            throw new IllegalArgumentException(name + " is abstract; a listener must be a concrete class [L1.1]");
        }
        if (!Modifier.isPublic(modifiers)
                || type.isAnonymousClass()
                || type.isLocalClass()
                || type.getEnclosingClass() != null && !Modifier.isStatic(modifiers)) {
            throw new IllegalArgumentException(name
                    + " must be a public top-level or static nested class so that the runtime can create it [L1.1]");
        }
        try {
            type.getConstructor();
        } catch (NoSuchMethodException e) {
            throw new IllegalArgumentException(name + " has no public no-argument constructor; the runtime creates"
                    + " every listener instance with it [L1.2]. Add `public " + type.getSimpleName() + "() {}`");
        }
        JavaType[] parameters =
                Json.MAPPER.getTypeFactory().constructType(type).findTypeParameters(EventListener.class);
        if (parameters == null || parameters.length != 2) {
            throw new IllegalArgumentException(name + " does not declare the type arguments of EventListener<A, E>;"
                    + " the runtime needs them to store arguments and events as JSON [L1.4]");
        }
        if (!Event.class.isAssignableFrom(parameters[1].getRawClass())) {
            throw new IllegalArgumentException(name + " declares event type " + parameters[1].toCanonical()
                    + ", which does not implement " + Event.class.getName());
        }
        return new ListenerType(type, parameters[0], parameters[1]);
    }

    /** @return the listener's id, its fully qualified class name [L1.6] */
    public String id() {
        return listenerClass.getName();
    }

    /**
     * @return whether waits may compete for this listener's occurrences, so that each checkpoint
     *     claims its event [R7.1]; false for a listener declared {@link UnsharedSource} [L3.9]
     */
    public boolean sharedSource() {
        return !listenerClass.isAnnotationPresent(UnsharedSource.class);
    }

    /** Creates a fresh instance with the public no-arg constructor. */
    @SuppressWarnings("unchecked")
    public EventListener<Object, Event> newInstance() {
        try {
            Constructor<?> constructor = listenerClass.getConstructor();
            return (EventListener<Object, Event>) constructor.newInstance();
        } catch (InvocationTargetException e) {
            throw new IllegalStateException("constructor of listener " + id() + " threw " + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot create listener " + id() + ": " + e, e);
        }
    }
}
