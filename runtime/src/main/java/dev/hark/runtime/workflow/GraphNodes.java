package dev.hark.runtime.workflow;

import dev.hark.workflow.FunctionRef;
import dev.hark.workflow.WorkflowStatus;
import dev.hark.workflow.internal.ValueCodec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a stored workflow's graph and each node's state from its definition and task records, the
 * same sources as {@link OpenWaits}: it answers alike for a workflow running here and one waiting
 * to be resumed. Constants are left out; continuations a task returned are spliced in.
 */
public final class GraphNodes {

    private GraphNodes() {}

    /**
     * @param finished the outputs of the workflow's finished tasks and waits (records in any state
     *     but {@code CONTINUED}), by task id
     * @param continuations the stored continuations (records in state {@code CONTINUED}), by task id
     * @param committed the ids of the waits whose events are committed at their source
     * @param status the workflow's status
     * @return the nodes in dependency order (every dependency precedes its consumer, except a
     *     continued task's dependency on its continuation's root, which follows it)
     */
    public static List<GraphNode> of(
            DagDefinition dag,
            Map<String, String> finished,
            Map<String, String> continuations,
            Set<String> committed,
            WorkflowStatus status) {
        WorkflowGraph graph = WorkflowGraph.stored(dag, continuations);
        String[] outputs = OpenWaits.outputs(graph, finished);
        int[] continuedBy = new int[graph.size()];
        Arrays.fill(continuedBy, -1);
        for (int i = 0; i < graph.size(); i++) {
            if (graph.continues(i) >= 0) {
                continuedBy[graph.continues(i)] = i;
            }
        }
        List<GraphNode> nodes = new ArrayList<>();
        for (int i = 0; i < graph.size(); i++) {
            DagDefinition.Step step = graph.step(i);
            if (step instanceof DagDefinition.Step.Value) {
                continue;
            }
            String id = WorkflowGraph.taskId(step);
            List<String> dependencies = new ArrayList<>();
            if (step instanceof DagDefinition.Step.Task task) {
                boolean ready = addInputs(graph, task.inputs(), outputs, dependencies);
                NodeState state;
                if (outputs[i] != null) {
                    state = NodeState.DONE;
                } else if (!ready) {
                    state = NodeState.PENDING;
                } else {
                    state = unfinished(status, continuedBy[i] >= 0);
                }
                if (continuedBy[i] >= 0 && WorkflowGraph.taskId(graph.step(continuedBy[i])) != null) {
                    dependencies.add(WorkflowGraph.taskId(graph.step(continuedBy[i])));
                }
                nodes.add(new GraphNode(id, "task", label(task.function()), state, dependencies, null));
            } else if (step instanceof DagDefinition.Step.Wait wait) {
                addInputs(graph, new int[] {wait.args()}, outputs, dependencies);
                String event = finished.get(id);
                NodeState state;
                if (event != null) {
                    state = committed.contains(id) ? NodeState.COMMITTED : NodeState.CHECKPOINTED;
                } else if (graph.raceOf(i) >= 0 && outputs[graph.raceOf(i)] != null) {
                    state = NodeState.LOST;
                } else if (outputs[wait.args()] == null) {
                    state = NodeState.PENDING;
                } else {
                    state = switch (status) {
                        case RUNNING, RESUMABLE -> NodeState.WAITING;
                        default -> NodeState.STOPPED;
                    };
                }
                nodes.add(new GraphNode(
                        id,
                        "wait",
                        simpleName(wait.listener()),
                        state,
                        dependencies,
                        event == null ? null : ValueCodec.rawValue(event)));
            } else if (step instanceof DagDefinition.Step.FirstOf race) {
                addInputs(graph, race.members(), outputs, dependencies);
                NodeState state = outputs[i] != null ? NodeState.DONE : NodeState.PENDING;
                if (state == NodeState.PENDING) {
                    for (GraphNode member : nodes) {
                        if (dependencies.contains(member.id()) && member.state() == NodeState.WAITING) {
                            state = NodeState.WAITING;
                        }
                    }
                }
                nodes.add(new GraphNode(id, "first_of", "firstOf", state, dependencies, null));
            }
        }
        return nodes;
    }

    /** A task that is ready and has no output: a continued one is still running its continuation. */
    private static NodeState unfinished(WorkflowStatus status, boolean continued) {
        return switch (status) {
            case RUNNING -> NodeState.RUNNING;
            case FAILED -> continued ? NodeState.STOPPED : NodeState.FAILED;
            default -> NodeState.STOPPED;
        };
    }

    /** Adds the non-constant inputs' ids; @return whether every input has its output */
    private static boolean addInputs(WorkflowGraph graph, int[] inputs, String[] outputs, List<String> ids) {
        boolean ready = true;
        for (int input : inputs) {
            String id = WorkflowGraph.taskId(graph.step(input));
            if (id != null && !ids.contains(id)) {
                ids.add(id);
            }
            ready &= outputs[input] != null;
        }
        return ready;
    }

    private static String label(FunctionRef function) {
        String method = function.methodName();
        if (method.startsWith("lambda$")) { // lambda$name$0: the method the lambda was written in
            int end = method.indexOf('$', 7);
            method = "lambda in " + method.substring(7, end < 0 ? method.length() : end);
        }
        return simpleName(function.className()) + "." + method;
    }

    private static String simpleName(String className) {
        String simple = className.substring(className.lastIndexOf('.') + 1);
        return simple.substring(simple.lastIndexOf('$') + 1);
    }
}
