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
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

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

    /**
     * JDK value types that Jackson always writes and reads back as the same value. A value of one of
     * them, given where exactly its own type is expected, needs no round trip to prove it: that
     * round trip (an encode and a decode, which for an {@code Instant} means formatting and parsing
     * it) was half of a timer workflow's start on the caller's thread.
     */
    private static final Set<Class<?>> ALWAYS_ROUND_TRIP =
            Set.of(String.class, Instant.class, Long.class, Integer.class, Boolean.class);

    /** Instants of four-digit years: ISO-8601 without the extended year forms the rest would need. */
    private static final Instant FIRST_PLAIN_INSTANT = Instant.parse("0000-01-01T00:00:00Z");

    private static final Instant LAST_PLAIN_INSTANT = Instant.parse("9999-12-31T23:59:59.999999999Z");

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
     * A dynamic task: its function returns the rest of the workflow, a {@link Node}, which the
     * engine stores and runs in the task's place; the task's output is that node's output. The node
     * may hold waits, and its own dynamic tasks may continue further, so a workflow can loop for as
     * long as it decides ("wait for the next payment until the balance is zero"). A stored
     * continuation is durable like a task's output: after a crash, what had finished is not run
     * again [R8.4].
     */
    public static <R> Task0<R> dynamic(TaskFunction.F0<? extends Node<R>> function) {
        return new Task0<>(functionRef(function, 0), TaskOptions.DEFAULT);
    }

    /** A dynamic task with one input; see {@link #dynamic(TaskFunction.F0)}. */
    public static <A, R> Task1<A, R> dynamic(TaskFunction.F1<A, ? extends Node<R>> function) {
        return new Task1<>(functionRef(function, 1), TaskOptions.DEFAULT);
    }

    /** A dynamic task with two inputs; see {@link #dynamic(TaskFunction.F0)}. */
    public static <A, B, R> Task2<A, B, R> dynamic(TaskFunction.F2<A, B, ? extends Node<R>> function) {
        return new Task2<>(functionRef(function, 2), TaskOptions.DEFAULT);
    }

    /** A dynamic task with three inputs; see {@link #dynamic(TaskFunction.F0)}. */
    public static <A, B, C, R> Task3<A, B, C, R> dynamic(TaskFunction.F3<A, B, C, ? extends Node<R>> function) {
        return new Task3<>(functionRef(function, 3), TaskOptions.DEFAULT);
    }

    /** A dynamic task with four inputs; see {@link #dynamic(TaskFunction.F0)}. */
    public static <A, B, C, D, R> Task4<A, B, C, D, R> dynamic(
            TaskFunction.F4<A, B, C, D, ? extends Node<R>> function) {
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
     * A wait for one event from {@code listener}, or the end of {@code timeout}, whichever comes
     * first. The deadline is fixed when the wait begins and checkpointed, like {@link #sleep}: after
     * a restart only the rest is waited. On a timeout the listener's wait is cancelled and consumes
     * nothing at its source [R8.2].
     *
     * @throws IllegalArgumentException as {@link #waitForEvent(Class, Object)}, or if the timeout is
     *     negative
     */
    public static <A, E extends Event, L extends EventListener<A, E>> Node<WaitResult<E>> waitForEvent(
            Class<L> listener, A args, Duration timeout) {
        Node<E> wait = waitForEvent(listener, args);
        return timed(wait, task(Sleeps::deadlineAfter).named("timeout_deadline").bind(value(millis(timeout))));
    }

    /**
     * A wait for one event from {@code listener}, addressed by the output of another node, or the
     * end of {@code timeout}, counted from when that output is known.
     */
    public static <A, E extends Event, L extends EventListener<A, E>> Node<WaitResult<E>> waitForEvent(
            Class<L> listener, Node<? extends A> args, Duration timeout) {
        Node<E> wait = waitForEvent(listener, args);
        return timed(
                wait, task(Sleeps::deadlineAfterReady).named("timeout_deadline").bind(value(millis(timeout)), args));
    }

    /** A wait for one event from {@code listener}, or the instant {@code deadline}, whichever comes first. */
    public static <A, E extends Event, L extends EventListener<A, E>> Node<WaitResult<E>> waitForEvent(
            Class<L> listener, A args, Instant deadline) {
        Node<E> wait = waitForEvent(listener, args);
        return timed(wait, value(Objects.requireNonNull(deadline, "deadline")));
    }

    /**
     * A race: the first of {@code waits} whose event is checkpointed wins; every other wait is
     * cancelled and consumes nothing at its source, so its event stays there for the next wait
     * [R8.1]. Also after a crash: a workflow that resumes after its winner was checkpointed never
     * polls the others again.
     *
     * <p>Each argument must be a wait ({@link #waitForEvent(Class, Object)} or {@link #sleep}) that
     * nothing else in the workflow uses: bind the race's output instead.
     *
     * @throws IllegalArgumentException if fewer than two waits are given, one is given twice, or an
     *     argument is not a wait
     */
    @SafeVarargs
    public static <E extends Event> Node<FirstOf<E>> firstOf(Node<? extends E>... waits) {
        Objects.requireNonNull(waits, "waits");
        if (waits.length < 2) {
            throw new IllegalArgumentException("firstOf needs at least two waits, got " + waits.length);
        }
        List<EventNode<?>> members = new ArrayList<>(waits.length);
        for (int i = 0; i < waits.length; i++) {
            Node<? extends E> wait = Objects.requireNonNull(waits[i], "wait " + i);
            if (!(wait instanceof EventNode<?> event)) {
                throw new IllegalArgumentException("firstOf takes waits (Dag.waitForEvent, Dag.sleep); argument " + i
                        + " is a " + wait.getClass().getSimpleName());
            }
            for (EventNode<?> earlier : members) {
                if (earlier == event) {
                    throw new IllegalArgumentException(
                            "firstOf got the same wait twice (argument " + i + "); each wait races once");
                }
            }
            members.add(event);
        }
        return new FirstOfNode<>(members, FirstOfNode.Output.FIRST_OF);
    }

    private static <E extends Event> Node<WaitResult<E>> timed(Node<E> wait, Node<Instant> deadline) {
        EventNode<TimerEvent> timer = new EventNode<>(TimerListener.class, deadline, "timeout");
        return new FirstOfNode<>(List.of((EventNode<?>) wait, timer), FirstOfNode.Output.WAIT_RESULT);
    }

    private static long millis(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must not be negative, was " + timeout);
        }
        return timeout.toMillis();
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
        if (alwaysRoundTrips(value) && (listener == null || listener.argsType().getRawClass() == value.getClass())) {
            return;
        }
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

    private static boolean alwaysRoundTrips(Object value) {
        if (value == null || !ALWAYS_ROUND_TRIP.contains(value.getClass())) {
            return false;
        }
        return !(value instanceof Instant instant)
                || (!instant.isBefore(FIRST_PLAIN_INSTANT) && !instant.isAfter(LAST_PLAIN_INSTANT));
    }
}
