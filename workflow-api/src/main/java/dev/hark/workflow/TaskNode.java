package dev.hark.workflow;

import java.util.List;

/**
 * A plain task: a function applied to the outputs of its input nodes.
 *
 * @param function where the function lives, resolvable again in another JVM
 * @param options the task's name and retries
 * @param inputs the nodes whose outputs are the function's arguments, in order
 */
public record TaskNode<R>(FunctionRef function, TaskOptions options, List<Node<?>> inputs) implements Node<R> {

    public TaskNode {
        inputs = List.copyOf(inputs);
    }
}
