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
 * arguments are known and that have no record yet, leaving out the members of races already won.
 * Read from what is durable, so it answers alike for a workflow running here and one waiting to be
 * resumed.
 */
public final class OpenWaits {

    private static final String TIMER_LISTENER = "dev.hark.listeners.timer.TimerListener";

    private OpenWaits() {}

    /**
     * @param outputs the output envelope of every task that has a record, by task id
     */
    public static List<OpenWait> of(DagDefinition dag, Map<String, String> outputs) {
        List<DagDefinition.Step> steps = dag.nodes();
        String[] raceOf = new String[steps.size()];
        Instant[] raceDeadline = new Instant[steps.size()];
        boolean[] decided = new boolean[steps.size()];
        for (int i = 0; i < steps.size(); i++) {
            if (steps.get(i) instanceof DagDefinition.Step.FirstOf race) {
                Instant deadline = null;
                for (int member : race.members()) {
                    raceOf[member] = race.taskId();
                    decided[member] = outputs.containsKey(race.taskId());
                    DagDefinition.Step.Wait wait = (DagDefinition.Step.Wait) steps.get(member);
                    if (race.output().equals(DagDefinition.Step.FirstOf.WAIT_RESULT) && member != race.members()[0]) {
                        deadline = instant(output(steps, wait.args(), outputs));
                    }
                }
                raceDeadline[race.members()[0]] = deadline;
            }
        }
        List<OpenWait> open = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++) {
            if (!(steps.get(i) instanceof DagDefinition.Step.Wait wait)
                    || outputs.containsKey(wait.taskId())
                    || decided[i]) {
                continue;
            }
            String args = output(steps, wait.args(), outputs);
            if (args == null) {
                continue; // not started: its arguments are not known yet
            }
            Instant deadline = wait.listener().equals(TIMER_LISTENER) ? instant(args) : raceDeadline[i];
            open.add(new OpenWait(wait.taskId(), wait.listener(), ValueCodec.rawValue(args), deadline, raceOf[i]));
        }
        return open;
    }

    /** @return the envelope of step {@code index}'s output, or null if it has none yet */
    private static String output(List<DagDefinition.Step> steps, int index, Map<String, String> outputs) {
        DagDefinition.Step step = steps.get(index);
        if (step instanceof DagDefinition.Step.Value value) {
            return value.envelope();
        }
        if (step instanceof DagDefinition.Step.Task task) {
            return outputs.get(task.taskId());
        }
        if (step instanceof DagDefinition.Step.Wait wait) {
            return outputs.get(wait.taskId());
        }
        return outputs.get(((DagDefinition.Step.FirstOf) step).taskId());
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
