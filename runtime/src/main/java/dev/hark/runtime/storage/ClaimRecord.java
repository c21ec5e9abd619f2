package dev.hark.runtime.storage;

/**
 * A stored claim: who took the occurrence, and when.
 *
 * @param claim the source and event id
 * @param workflowId the workflow whose wait checkpointed it
 * @param taskId that wait's task id
 * @param claimedAtMillis when the checkpoint was written, epoch milliseconds
 */
public record ClaimRecord(EventClaim claim, String workflowId, String taskId, long claimedAtMillis) {}
