package dev.hark.workflow;

import java.io.Serializable;

/**
 * The shapes a task function can take, by arity. They are {@link Serializable} only so that the
 * runtime can read which method a method reference or lambda points to; nothing is ever serialized
 * with Java serialization. Pass a static method reference ({@code Orders::charge}), a non-capturing
 * lambda, or an instance of a public class with a public no-arg constructor that implements one of
 * these interfaces.
 */
public final class TaskFunction {

    private TaskFunction() {}

    /** A task with no inputs. */
    @FunctionalInterface
    public interface F0<R> extends Serializable {
        R apply() throws Exception;
    }

    /** A task with one input. */
    @FunctionalInterface
    public interface F1<A, R> extends Serializable {
        R apply(A a) throws Exception;
    }

    /** A task with two inputs. */
    @FunctionalInterface
    public interface F2<A, B, R> extends Serializable {
        R apply(A a, B b) throws Exception;
    }

    /** A task with three inputs. */
    @FunctionalInterface
    public interface F3<A, B, C, R> extends Serializable {
        R apply(A a, B b, C c) throws Exception;
    }

    /** A task with four inputs. */
    @FunctionalInterface
    public interface F4<A, B, C, D, R> extends Serializable {
        R apply(A a, B b, C c, D d) throws Exception;
    }
}
