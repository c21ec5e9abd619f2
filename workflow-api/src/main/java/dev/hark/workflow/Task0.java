package dev.hark.workflow;

import java.util.List;

/**
 * A task with no inputs, ready to be named, given retries, and bound.
 */
public final class Task0<R> {

    private final FunctionRef function;
    private final TaskOptions options;

    Task0(FunctionRef function, TaskOptions options) {
        this.function = function;
        this.options = options;
    }

    /** @return this task under an explicit name, unique within its workflow */
    public Task0<R> named(String name) {
        return new Task0<>(function, options.withName(name));
    }

    /** @return this task, run again up to {@code retries} times when it throws */
    public Task0<R> retries(int retries) {
        return new Task0<>(function, options.withRetries(retries));
    }

    /** @return a node that applies the function to the outputs of the given nodes */
    public Node<R> bind() {
        return new TaskNode<>(function, options, List.of());
    }
}
