package dev.hark.runtime.testing;

import dev.hark.runtime.storage.StoreStats;
import dev.hark.runtime.storage.StoreWrite;
import dev.hark.runtime.storage.StoredWorkflow;
import dev.hark.runtime.storage.TaskRecord;
import dev.hark.runtime.storage.WorkflowRecord;
import dev.hark.runtime.storage.WorkflowStore;
import dev.hark.runtime.storage.WorkflowSummary;
import dev.hark.runtime.workflow.WorkflowStatus;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/** A real store with a hook on writes, for simulating a disk that misbehaves. */
public abstract class ForwardingStore implements WorkflowStore {

    private final WorkflowStore real;

    protected ForwardingStore(WorkflowStore real) {
        this.real = real;
    }

    @Override
    public CompletableFuture<Void> write(StoreWrite write) {
        return real.write(write);
    }

    @Override
    public Optional<WorkflowRecord> workflow(String workflowId) {
        return real.workflow(workflowId);
    }

    @Override
    public List<TaskRecord> tasks(String workflowId) {
        return real.tasks(workflowId);
    }

    @Override
    public List<WorkflowSummary> list(Optional<WorkflowStatus> status) {
        return real.list(status);
    }

    @Override
    public void forEachWithTasks(WorkflowStatus status, Consumer<StoredWorkflow> action) {
        real.forEachWithTasks(status, action);
    }

    @Override
    public int markRunningResumable() {
        return real.markRunningResumable();
    }

    @Override
    public StoreStats stats() {
        return real.stats();
    }

    @Override
    public void close() {
        real.close();
    }
}
