package dev.hark.runtime.storage;

import dev.hark.workflow.WorkflowStatus;

/** A workflow id with its status, as {@code list} returns it. */
public record WorkflowSummary(String id, WorkflowStatus status) {}
