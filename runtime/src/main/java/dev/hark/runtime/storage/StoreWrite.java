package dev.hark.runtime.storage;

import dev.hark.runtime.workflow.WorkflowStatus;

/** One change to durable state, applied atomically. */
public sealed interface StoreWrite {

    /** The workflow this write belongs to. */
    String workflowId();

    /**
     * A new workflow in status {@link WorkflowStatus#RUNNING}, with its definition.
     *
     * @param dagJson the serialized DAG
     * @param createdAtMillis creation time, epoch milliseconds
     */
    record CreateWorkflow(String workflowId, String dagJson, long createdAtMillis)
            implements StoreWrite {}

    /**
     * Inserts or replaces a task's record: a task's output, or an event's checkpoint.
     *
     * @param outputJson the output envelope (see {@code dev.hark.runtime.json.ValueCodec})
     */
    record PutTask(String workflowId, String taskId, TaskState state, String outputJson)
            implements StoreWrite {}

    /** Moves a checkpointed event task to {@link TaskState#COMMITTED}, keeping its output. */
    record MarkCommitted(String workflowId, String taskId) implements StoreWrite {}

    /**
     * Sets a workflow's status, and its output or error where the status has one.
     *
     * @param outputJson the output envelope, or null
     * @param error a description of the failure, or null
     */
    record SetStatus(String workflowId, WorkflowStatus status, String outputJson, String error)
            implements StoreWrite {}

    /** Removes a workflow and all its task records. */
    record DeleteWorkflow(String workflowId) implements StoreWrite {}
}
