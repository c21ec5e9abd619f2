package dev.hark.runtime.storage;

import dev.hark.workflow.WorkflowStatus;

/**
 * A stored workflow.
 *
 * @param dagJson the serialized definition
 * @param outputJson the output envelope once {@link WorkflowStatus#SUCCESSFUL}, else null
 * @param error the failure description once {@link WorkflowStatus#FAILED}, else null
 */
public record WorkflowRecord(
        String id,
        WorkflowStatus status,
        String dagJson,
        String outputJson,
        String error,
        long createdAtMillis,
        long updatedAtMillis) {}
