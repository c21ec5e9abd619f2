package dev.hark.runtime.workflow;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A workflow's steps: those of its stored DAG, followed by the steps of every continuation its
 * tasks returned, with indexes shifted so that all refer into one list. A continuation's root
 * stands for the task that returned it: when the root is done, so is that task, with its output.
 */
public final class WorkflowGraph {

    private final List<DagDefinition.Step> steps;
    private final int root;
    private int[] raceOf;
    private int[] continues;

    private WorkflowGraph(DagDefinition dag) {
        this.steps = new ArrayList<>(dag.nodes());
        this.root = dag.root();
        this.raceOf = new int[steps.size()];
        this.continues = new int[steps.size()];
        Arrays.fill(raceOf, -1);
        Arrays.fill(continues, -1);
        indexRaces(0);
    }

    public static WorkflowGraph of(DagDefinition dag) {
        return new WorkflowGraph(dag);
    }

    /**
     * The graph with every stored continuation spliced in, in the order they appear.
     *
     * @param continuations the stored continuations (records in state {@code CONTINUED}), by task id
     */
    public static WorkflowGraph stored(DagDefinition dag, Map<String, String> continuations) {
        WorkflowGraph graph = new WorkflowGraph(dag);
        for (int i = 0; i < graph.size(); i++) {
            String continuation = continuations.get(taskId(graph.step(i)));
            if (continuation != null) {
                graph.splice(i, Continuation.read(continuation).dag());
            }
        }
        return graph;
    }

    public int size() {
        return steps.size();
    }

    public DagDefinition.Step step(int index) {
        return steps.get(index);
    }

    /** @return the index of the node whose output is the workflow's */
    public int root() {
        return root;
    }

    /** @return the index of the race {@code index} is a member of, or -1 */
    public int raceOf(int index) {
        return raceOf[index];
    }

    /** @return the index of the task whose continuation {@code index} is the root of, or -1 */
    public int continues(int index) {
        return continues[index];
    }

    /**
     * Appends a continuation's steps.
     *
     * @param task the index of the task that returned it
     * @return the index of the continuation's root
     */
    public int splice(int task, DagDefinition continuation) {
        int offset = steps.size();
        for (DagDefinition.Step step : continuation.nodes()) {
            steps.add(shifted(step, offset));
        }
        int oldSize = raceOf.length;
        raceOf = Arrays.copyOf(raceOf, steps.size());
        continues = Arrays.copyOf(continues, steps.size());
        Arrays.fill(raceOf, oldSize, steps.size(), -1);
        Arrays.fill(continues, oldSize, steps.size(), -1);
        indexRaces(offset);
        int subRoot = offset + continuation.root();
        continues[subRoot] = task;
        return subRoot;
    }

    private void indexRaces(int from) {
        for (int i = from; i < steps.size(); i++) {
            if (steps.get(i) instanceof DagDefinition.Step.FirstOf race) {
                for (int member : race.members()) {
                    raceOf[member] = i;
                }
            }
        }
    }

    private static DagDefinition.Step shifted(DagDefinition.Step step, int offset) {
        if (step instanceof DagDefinition.Step.Task task) {
            return new DagDefinition.Step.Task(
                    task.taskId(), task.function(), shift(task.inputs(), offset), task.retries());
        }
        if (step instanceof DagDefinition.Step.Wait wait) {
            return new DagDefinition.Step.Wait(wait.taskId(), wait.listener(), wait.args() + offset);
        }
        if (step instanceof DagDefinition.Step.FirstOf race) {
            return new DagDefinition.Step.FirstOf(race.taskId(), shift(race.members(), offset), race.output());
        }
        return step;
    }

    private static int[] shift(int[] indexes, int offset) {
        int[] shifted = new int[indexes.length];
        for (int i = 0; i < indexes.length; i++) {
            shifted[i] = indexes[i] + offset;
        }
        return shifted;
    }

    /** @return the step's task id, or null for a constant */
    public static String taskId(DagDefinition.Step step) {
        if (step instanceof DagDefinition.Step.Task task) {
            return task.taskId();
        }
        if (step instanceof DagDefinition.Step.Wait wait) {
            return wait.taskId();
        }
        if (step instanceof DagDefinition.Step.FirstOf race) {
            return race.taskId();
        }
        return null;
    }
}
