package dev.hark.runtime.workflow;

import dev.hark.workflow.internal.ValueCodec;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * Reads a stored workflow's open waits from its definition and task records: the waits whose
 * arguments are known and that have no record yet, in the workflow's DAG and in the continuations
 * its tasks returned, leaving out the members of races already won. Read from what is durable, so
 * it answers alike for a workflow running here and one waiting to be resumed.
 */
public final class OpenWaits {

    private static final String TIMER_LISTENER = "dev.hark.listeners.timer.TimerListener";

    private OpenWaits() {}

    /**
     * @param finished the outputs of the workflow's finished tasks and waits (records in any state
     *     but {@code CONTINUED}), by task id
     * @param continuations the stored continuations (records in state {@code CONTINUED}), by task id
     */
    public static List<OpenWait> of(
            DagDefinition dag, Map<String, String> finished, Map<String, String> continuations) {
        WorkflowGraph graph = WorkflowGraph.stored(dag, continuations);
        String[] outputs = outputs(graph, finished);
        List<OpenWait> open = new ArrayList<>();
        for (int i = 0; i < graph.size(); i++) {
            if (!(graph.step(i) instanceof DagDefinition.Step.Wait wait) || finished.containsKey(wait.taskId())) {
                continue;
            }
            int race = graph.raceOf(i);
            if (race >= 0 && outputs[race] != null) {
                continue; // the race was won by another member: this wait never takes an event
            }
            String args = outputs[wait.args()];
            if (args == null) {
                continue; // not started: its arguments are not known yet
            }
            Instant deadline = wait.listener().equals(TIMER_LISTENER) ? instant(args) : timeout(graph, outputs, race);
            DagDefinition.Step.FirstOf raced = race >= 0 ? (DagDefinition.Step.FirstOf) graph.step(race) : null;
            open.add(new OpenWait(
                    wait.taskId(),
                    wait.listener(),
                    ValueCodec.rawValue(args),
                    deadline,
                    raced == null ? null : raced.taskId()));
        }
        return open;
    }

    /** @return each node's output envelope where it has one: constants, records, finished continuations */
    static String[] outputs(WorkflowGraph graph, Map<String, String> finished) {
        String[] outputs = new String[graph.size()];
        for (int i = 0; i < graph.size(); i++) {
            DagDefinition.Step step = graph.step(i);
            outputs[i] = step instanceof DagDefinition.Step.Value value
                    ? value.envelope()
                    : finished.get(WorkflowGraph.taskId(step));
        }
        for (int i = graph.size() - 1; i >= 0; i--) {
            if (graph.continues(i) >= 0 && outputs[i] != null) {
                outputs[graph.continues(i)] = outputs[i];
            }
        }
        return outputs;
    }

    /** @return the deadline of the timeout race {@code race}, when it is one and its deadline is known */
    private static Instant timeout(WorkflowGraph graph, String[] outputs, int race) {
        if (race < 0
                || !(graph.step(race) instanceof DagDefinition.Step.FirstOf raced)
                || !raced.output().equals(DagDefinition.Step.FirstOf.WAIT_RESULT)) {
            return null;
        }
        DagDefinition.Step.Wait timer = (DagDefinition.Step.Wait) graph.step(raced.members()[1]);
        return instant(outputs[timer.args()]);
    }

    private static Instant instant(String envelope) {
        if (envelope == null) {
            return null;
        }
        JsonNode value = ValueCodec.rawValue(envelope);
        if (value == null || !value.isString()) {
            return null;
        }
        try {
            return Instant.parse(value.asString());
        } catch (DateTimeParseException notAnInstant) {
            return null;
        }
    }
}
