package dev.hark.workflow;

import java.util.List;

/**
 * A task with four inputs, ready to be named, given retries, and bound.
 */
public final class Task4<A, B, C, D, R> {

    private final FunctionRef function;
    private final TaskOptions options;

    Task4(FunctionRef function, TaskOptions options) {
        this.function = function;
        this.options = options;
    }

    /** @return this task under an explicit name, unique within its workflow */
    public Task4<A, B, C, D, R> named(String name) {
        return new Task4<>(function, options.withName(name));
    }

    /** @return this task, run again up to {@code retries} times when it throws */
    public Task4<A, B, C, D, R> retries(int retries) {
        return new Task4<>(function, options.withRetries(retries));
    }

    /** @return a node that applies the function to the outputs of the given nodes */
    public Node<R> bind(Node<? extends A> a, Node<? extends B> b, Node<? extends C> c, Node<? extends D> d) {
        return new TaskNode<>(function, options, List.of(a, b, c, d));
    }
}
