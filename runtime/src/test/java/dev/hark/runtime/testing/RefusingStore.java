package dev.hark.runtime.testing;

import dev.hark.runtime.storage.StorageException;
import dev.hark.runtime.storage.StoreStats;
import dev.hark.runtime.storage.StoreWrite;
import dev.hark.runtime.storage.StoredWorkflow;
import dev.hark.runtime.storage.TaskRecord;
import dev.hark.runtime.storage.TaskState;
import dev.hark.runtime.storage.WorkflowRecord;
import dev.hark.runtime.storage.WorkflowStore;
import dev.hark.runtime.storage.WorkflowSummary;
import dev.hark.runtime.workflow.WorkflowStatus;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A real store whose disk refuses the first few event checkpoints, the way a full disk would: the
 * write fails with {@link StorageException} and nothing of it is applied.
 */
public final class RefusingStore implements WorkflowStore {

    private final WorkflowStore real;
    private final AtomicInteger refusalsLeft;
    private final AtomicInteger checkpointAttempts = new AtomicInteger();

    public RefusingStore(WorkflowStore real, int refusals) {
        this.real = real;
        this.refusalsLeft = new AtomicInteger(refusals);
    }

    public int checkpointAttempts() {
        return checkpointAttempts.get();
    }

    @Override
    public CompletableFuture<Void> write(StoreWrite write) {
        if (write instanceof StoreWrite.PutTask put && put.state() == TaskState.CHECKPOINTED) {
            checkpointAttempts.incrementAndGet();
            if (refusalsLeft.getAndDecrement() > 0) {
                return CompletableFuture.failedFuture(new StorageException("the disk is full (simulated)"));
            }
        }
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
