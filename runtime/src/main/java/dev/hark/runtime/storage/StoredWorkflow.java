package dev.hark.runtime.storage;

import java.util.List;

/** A workflow read together with its task records, for resuming. */
public record StoredWorkflow(WorkflowRecord workflow, List<TaskRecord> tasks) {}
