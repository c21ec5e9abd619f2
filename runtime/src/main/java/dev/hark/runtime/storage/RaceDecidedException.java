package dev.hark.runtime.storage;

/**
 * A wait's checkpoint was refused because another wait of its {@code firstOf} race checkpointed
 * first: the race's record exists. Nothing of the refused write was applied, so its event was
 * neither recorded nor committed and stays at its source [R8.1].
 */
public class RaceDecidedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public RaceDecidedException(String workflowId, String raceTaskId, String taskId) {
        super("race '" + raceTaskId + "' of workflow '" + workflowId + "' was already won by another wait; the"
                + " checkpoint of '" + taskId + "' was refused [R8.1]");
    }
}
