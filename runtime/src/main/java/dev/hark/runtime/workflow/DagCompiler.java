package dev.hark.runtime.workflow;

import dev.hark.workflow.EventNode;
import dev.hark.workflow.Node;
import dev.hark.workflow.TaskNode;
import dev.hark.workflow.ValueNode;
import dev.hark.workflow.internal.ValueCodec;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Turns a graph of {@link Node}s into its persisted form, giving every task a unique id. */
public final class DagCompiler {

    private final ValueCodec codec;
    private final List<DagDefinition.Step> steps = new ArrayList<>();
    private final Map<Node<?>, Integer> indexes = new IdentityHashMap<>();
    private final Set<String> taskIds = new HashSet<>();

    private DagCompiler(ValueCodec codec) {
        this.codec = codec;
    }

    /**
     * @param root the node whose output the workflow returns
     * @throws IllegalArgumentException if two tasks share an explicit name
     */
    public static DagDefinition compile(Node<?> root, ValueCodec codec) {
        DagCompiler compiler = new DagCompiler(codec);
        int rootIndex = compiler.add(root);
        return new DagDefinition(DagDefinition.CURRENT_VERSION, compiler.steps, rootIndex);
    }

    private int add(Node<?> node) {
        Integer known = indexes.get(node);
        if (known != null) {
            return known;
        }
        DagDefinition.Step step;
        if (node instanceof ValueNode<?> value) {
            step = new DagDefinition.Step.Value(codec.encode(value.value(), null));
        } else if (node instanceof TaskNode<?> task) {
            int[] inputs = new int[task.inputs().size()];
            for (int i = 0; i < inputs.length; i++) {
                inputs[i] = add(task.inputs().get(i));
            }
            String taskId = taskId(task.options().name(), task.function().displayName());
            step = new DagDefinition.Step.Task(
                    taskId, task.function(), inputs, task.options().retries());
        } else {
            EventNode<?> wait = (EventNode<?>) node;
            int args = add(wait.args());
            String taskId = taskId(wait.name(), wait.listener().getSimpleName());
            step = new DagDefinition.Step.Wait(taskId, wait.listener().getName(), args);
        }
        steps.add(step);
        int index = steps.size() - 1;
        indexes.put(node, index);
        return index;
    }

    private String taskId(String explicit, String base) {
        if (explicit != null) {
            if (!taskIds.add(explicit)) {
                throw new IllegalArgumentException(
                        "two tasks are named '" + explicit + "'; task names must be unique within a workflow");
            }
            return explicit;
        }
        String candidate = base;
        for (int n = 2; !taskIds.add(candidate); n++) {
            candidate = base + "_" + n;
        }
        return candidate.intern();
    }
}
