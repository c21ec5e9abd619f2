package dev.hark.workflow;

import dev.hark.api.Event;
import dev.hark.api.EventListener;
import dev.hark.listeners.timer.TimerEvent;
import dev.hark.listeners.timer.TimerListener;
import dev.hark.workflow.internal.ListenerType;
import dev.hark.workflow.internal.ResolvedFunction;
import dev.hark.workflow.internal.ValueCodec;
import dev.hark.workflow.internal.ValueCodecException;
import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Builds workflow DAGs.
 *
 * <pre>{@code
 * Node<TimerEvent> first = Dag.waitForEvent(TimerListener.class, Instant.now().plusSeconds(60));
 * Node<TimerEvent> second = Dag.waitForEvent(TimerListener.class, Instant.now().plusSeconds(30));
 * Node<List<TimerEvent>> gathered = Dag.task(Example::gather).bind(first, second);
 * List<TimerEvent> out = hark.run(gathered, "my-workflow");
 * }</pre>
 *
 * Every check that can be made on a definition is made here, so a mistake surfaces where the DAG is
 * built and not hours later when a parked wait resumes.
 */
public final class Dag {

    /**
     * Checks definitions. One shared instance: a fresh codec per check also meant a fresh Jackson
     * type cache, so every {@code waitForEvent} resolved its types from scratch. Thread-safe.
     */
    private static final ValueCodec CHECKER = new ValueCodec(Dag.class.getClassLoader());

    private Dag() {}

    /**
     * A constant input.
     *
     * @throws IllegalArgumentException if Jackson cannot serialize the value
     */
    public static <T> Node<T> value(T value) {
        requireSerializable(value, null, "value");
        return new ValueNode<>(value);
    }

    /** A task with no inputs. */
    public static <R> Task0<R> task(TaskFunction.F0<R> function) {
        return new Task0<>(functionRef(function, 0), TaskOptions.DEFAULT);
    }

    /** A task with one input. */
    public static <A, R> Task1<A, R> task(TaskFunction.F1<A, R> function) {
        return new Task1<>(functionRef(function, 1), TaskOptions.DEFAULT);
    }

    /** A task with two inputs. */
    public static <A, B, R> Task2<A, B, R> task(TaskFunction.F2<A, B, R> function) {
        return new Task2<>(functionRef(function, 2), TaskOptions.DEFAULT);
    }

    /** A task with three inputs. */
    public static <A, B, C, R> Task3<A, B, C, R> task(TaskFunction.F3<A, B, C, R> function) {
        return new Task3<>(functionRef(function, 3), TaskOptions.DEFAULT);
    }

    /** A task with four inputs. */
    public static <A, B, C, D, R> Task4<A, B, C, D, R> task(TaskFunction.F4<A, B, C, D, R> function) {
        return new Task4<>(functionRef(function, 4), TaskOptions.DEFAULT);
    }

    /**
     * A wait for one event from {@code listener}, addressed by constant {@code args}.
     *
     * @throws IllegalArgumentException if the class is not a usable listener (not an
     *     {@link EventListener}, abstract, not public, no public no-arg constructor) or Jackson
     *     cannot serialize {@code args} as the listener's argument type
     */
    public static <A, E extends Event, L extends EventListener<A, E>> Node<E> waitForEvent(Class<L> listener, A args) {
        ListenerType type = ListenerType.of(Objects.requireNonNull(listener, "listener"));
        requireSerializable(args, type, "arguments");
        return new EventNode<>(listener, new ValueNode<>(args), null);
    }

    /**
     * A wait for one event from {@code listener}, addressed by the output of another node (for
     * example a key computed by a task).
     */
    public static <A, E extends Event, L extends EventListener<A, E>> Node<E> waitForEvent(
            Class<L> listener, Node<? extends A> args) {
        ListenerType.of(Objects.requireNonNull(listener, "listener"));
        return new EventNode<>(listener, Objects.requireNonNull(args, "args"), null);
    }

    /**
     * A durable sleep. The deadline is fixed when the sleep task runs, not when the DAG is built,
     * and it is checkpointed: after a restart only the time that remains is waited.
     */
    public static Node<TimerEvent> sleep(Duration duration) {
        Objects.requireNonNull(duration, "duration");
        if (duration.isNegative()) {
            throw new IllegalArgumentException("sleep duration must not be negative, was " + duration);
        }
        Node<Instant> deadline =
                task(Sleeps::deadlineAfter).named("sleep_deadline").bind(value(duration.toMillis()));
        return new EventNode<>(TimerListener.class, deadline, "sleep");
    }

    private static FunctionRef functionRef(Serializable function, int arity) {
        FunctionRef ref = FunctionRef.of(Objects.requireNonNull(function, "function"), arity);
        ResolvedFunction.resolve(ref, function.getClass().getClassLoader());
        return ref;
    }

    private static void requireSerializable(Object value, ListenerType listener, String what) {
        try {
            String envelope = CHECKER.encode(value, null);
            if (listener != null) {
                CHECKER.decode(envelope, listener.argsType());
            }
        } catch (ValueCodecException e) {
            String owner = listener == null ? "" : " for listener " + listener.id();
            throw new IllegalArgumentException(
                    what + owner + " cannot be stored as JSON: " + e.getMessage() + (listener == null ? "" : " [L1.4]"),
                    e);
        }
    }
}
