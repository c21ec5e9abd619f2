package dev.hark.workflow;

import java.util.List;

/**
 * A task with two inputs, ready to be named, given retries, and bound.
 */
public final class Task2<A, B, R> {

    private final FunctionRef function;
    private final TaskOptions options;

    Task2(FunctionRef function, TaskOptions options) {
        this.function = function;
        this.options = options;
    }

    /** @return this task under an explicit name, unique within its workflow */
    public Task2<A, B, R> named(String name) {
        return new Task2<>(function, options.withName(name));
    }

    /** @return this task, run again up to {@code retries} times when it throws */
    public Task2<A, B, R> retries(int retries) {
        return new Task2<>(function, options.withRetries(retries));
    }

    /** @return a node that applies the function to the outputs of the given nodes */
    public Node<R> bind(Node<? extends A> a, Node<? extends B> b) {
        return new TaskNode<>(function, options, List.of(a, b));
    }
}
