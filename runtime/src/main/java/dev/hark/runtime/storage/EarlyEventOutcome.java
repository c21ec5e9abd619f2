package dev.hark.runtime.storage;

/** What {@link WorkflowStore#bufferEarlyEvent} did. */
public enum EarlyEventOutcome {
    /** The event is durably buffered. */
    BUFFERED,
    /** An event with this id is buffered for the workflow already; nothing was written. */
    ALREADY_BUFFERED,
    /** The workflow's inbox already claimed this id: the event was recorded before [R7.3]; nothing was written. */
    ALREADY_RECORDED,
    /** The workflow is not stored or not RUNNING; nothing was written. */
    WORKFLOW_NOT_RUNNING,
    /** (creating) The workflow was created with the event buffered for it, in one transaction. */
    CREATED,
    /** (creating) A workflow with this id is stored already; nothing was written. */
    WORKFLOW_EXISTS
}
