package dev.hark.runtime.workflow;

import dev.hark.workflow.EventNode;
import dev.hark.workflow.FirstOfNode;
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

    /**
     * The class of the workflow API's own tasks (the deadlines of sleeps and timeouts): their names
     * are bases, numbered when a workflow has several, as a user's explicit names are not.
     */
    private static final String BUILT_IN_TASKS = "dev.hark.workflow.Sleeps";

    private final ValueCodec codec;
    private final String prefix;
    private final List<DagDefinition.Step> steps = new ArrayList<>();
    private final Map<Node<?>, Integer> indexes = new IdentityHashMap<>();
    private final Set<String> taskIds = new HashSet<>();

    private DagCompiler(ValueCodec codec, String prefix) {
        this.codec = codec;
        this.prefix = prefix;
    }

    /**
     * @param root the node whose output the workflow returns
     * @throws IllegalArgumentException if two tasks share an explicit name
     */
    public static DagDefinition compile(Node<?> root, ValueCodec codec) {
        return compile(root, codec, "");
    }

    /**
     * @param prefix put before every task id: a continuation's ids must not meet those of the
     *     workflow it continues
     */
    public static DagDefinition compile(Node<?> root, ValueCodec codec, String prefix) {
        DagCompiler compiler = new DagCompiler(codec, prefix);
        int rootIndex = compiler.add(root);
        compiler.requireRaceMembersUsedOnce(rootIndex);
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
            String taskId = task.function().className().equals(BUILT_IN_TASKS)
                    ? numbered(task.options().name())
                    : taskId(task.options().name(), task.function().displayName());
            step = new DagDefinition.Step.Task(
                    taskId, task.function(), inputs, task.options().retries());
        } else if (node instanceof EventNode<?> wait) {
            int args = add(wait.args());
            String taskId =
                    numbered(wait.name() != null ? wait.name() : wait.listener().getSimpleName());
            step = new DagDefinition.Step.Wait(taskId, wait.listener().getName(), args);
        } else {
            FirstOfNode<?> race = (FirstOfNode<?>) node;
            int[] members = new int[race.members().size()];
            for (int i = 0; i < members.length; i++) {
                members[i] = add(race.members().get(i));
            }
            boolean timed = race.output() == FirstOfNode.Output.WAIT_RESULT;
            step = new DagDefinition.Step.FirstOf(
                    numbered(timed ? "wait_result" : "first_of"),
                    members,
                    timed ? DagDefinition.Step.FirstOf.WAIT_RESULT : DagDefinition.Step.FirstOf.FIRST_OF);
        }
        steps.add(step);
        int index = steps.size() - 1;
        indexes.put(node, index);
        return index;
    }

    /**
     * A race's waits are decided by the race: a member that another node also used could deliver
     * its event there although the race cancelled it, so each member belongs to its race alone.
     */
    private void requireRaceMembersUsedOnce(int root) {
        int[] uses = new int[steps.size()];
        uses[root]++;
        for (DagDefinition.Step step : steps) {
            if (step instanceof DagDefinition.Step.Task task) {
                for (int input : task.inputs()) {
                    uses[input]++;
                }
            } else if (step instanceof DagDefinition.Step.Wait wait) {
                uses[wait.args()]++;
            } else if (step instanceof DagDefinition.Step.FirstOf race) {
                for (int member : race.members()) {
                    uses[member]++;
                }
            }
        }
        Set<Integer> raced = new HashSet<>();
        for (DagDefinition.Step step : steps) {
            if (step instanceof DagDefinition.Step.FirstOf race) {
                for (int member : race.members()) {
                    if (!raced.add(member)) {
                        throw new IllegalArgumentException("wait '" + taskIdOf(member)
                                + "' races in two firstOf nodes; a wait can race once: create a wait for each race");
                    }
                }
            }
        }
        for (int member : raced) {
            if (uses[member] > 1) {
                throw new IllegalArgumentException("wait '" + taskIdOf(member)
                        + "' races in a firstOf and is also used elsewhere; bind the firstOf's output instead,"
                        + " since a wait that loses the race takes no event [R8.1]");
            }
        }
    }

    private String taskIdOf(int wait) {
        return ((DagDefinition.Step.Wait) steps.get(wait)).taskId();
    }

    private String taskId(String explicit, String base) {
        if (explicit != null) {
            if (!taskIds.add(prefix + explicit)) {
                throw new IllegalArgumentException(
                        "two tasks are named '" + explicit + "'; task names must be unique within a workflow");
            }
            return (prefix + explicit).intern();
        }
        return numbered(base);
    }

    /** @return {@code base}, or {@code base_2}, {@code base_3} … if taken */
    private String numbered(String base) {
        String candidate = prefix + base;
        for (int n = 2; !taskIds.add(candidate); n++) {
            candidate = prefix + base + "_" + n;
        }
        return candidate.intern();
    }
}
