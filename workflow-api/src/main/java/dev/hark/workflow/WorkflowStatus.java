package dev.hark.workflow;

/** Where a workflow stands. The names and meanings follow Ray Workflows. */
public enum WorkflowStatus {
    /** Executing in this runtime, possibly parked on events. */
    RUNNING,
    /** Finished; its output is stored. */
    SUCCESSFUL,
    /** A task failed after its retries; {@code resume} runs it again from its checkpoints. */
    FAILED,
    /** Was running when its runtime stopped; {@code resume} continues it from its checkpoints. */
    RESUMABLE,
    /** Cancelled by a user; pending waits were cancelled and committed nothing. */
    CANCELED;

    /** @return whether no further work happens for a workflow in this status */
    public boolean isTerminal() {
        return this == SUCCESSFUL || this == CANCELED;
    }
}
