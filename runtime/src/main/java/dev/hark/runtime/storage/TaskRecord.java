package dev.hark.runtime.storage;

/**
 * The stored result of one task.
 *
 * @param outputJson the output envelope: the task's return value or the checkpointed event
 */
public record TaskRecord(String taskId, TaskState state, String outputJson) {}
