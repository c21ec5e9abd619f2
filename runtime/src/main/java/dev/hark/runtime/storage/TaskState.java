package dev.hark.runtime.storage;

/** The durable state of one task. A task with no record has not finished. */
public enum TaskState {
    /** A plain task finished; its output is stored. */
    DONE,
    /** An event is durably checkpointed; its listener has not yet confirmed the commit. */
    CHECKPOINTED,
    /** The listener committed the checkpointed event at its source. */
    COMMITTED,
    /**
     * A task returned a workflow node: its output is the stored continuation (see
     * {@code dev.hark.runtime.workflow.Continuation}), and the task is done when that continuation's
     * root is.
     */
    CONTINUED
}
