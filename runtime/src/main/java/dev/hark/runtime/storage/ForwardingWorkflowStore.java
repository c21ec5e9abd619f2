package dev.hark.runtime.storage;

import dev.hark.workflow.WorkflowStatus;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * A store that passes everything to another: the base for decorators that observe or alter writes
 * (metrics, fault injection in tests, the TCK's crashable store). Override what you change.
 */
public abstract class ForwardingWorkflowStore implements WorkflowStore {

    private final WorkflowStore real;

    protected ForwardingWorkflowStore(WorkflowStore real) {
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
    public int count(WorkflowStatus status) {
        return real.count(status);
    }

    @Override
    public void forEachWithTasks(WorkflowStatus status, Consumer<StoredWorkflow> action) {
        real.forEachWithTasks(status, action);
    }

    @Override
    public void forEachWithTasks(java.util.Collection<String> workflowIds, Consumer<StoredWorkflow> action) {
        real.forEachWithTasks(workflowIds, action);
    }

    @Override
    public Optional<NodeLeases> nodeLeases() {
        return real.nodeLeases();
    }

    @Override
    public int markRunningResumable() {
        return real.markRunningResumable();
    }

    @Override
    public Optional<ClaimRecord> claim(EventClaim claim) {
        return real.claim(claim);
    }

    @Override
    public CompletableFuture<Integer> sweepClaims(long claimedBeforeMillis) {
        return real.sweepClaims(claimedBeforeMillis);
    }

    @Override
    public List<WorkflowSummary> list(Optional<WorkflowStatus> status, String afterId, int limit) {
        return real.list(status, afterId, limit);
    }

    @Override
    public CompletableFuture<EarlyEventOutcome> bufferEarlyEvent(EarlyEventRecord event) {
        return real.bufferEarlyEvent(event);
    }

    @Override
    public CompletableFuture<EarlyEventOutcome> createWithEarlyEvent(
            StoreWrite.CreateWorkflow create, EarlyEventRecord event) {
        return real.createWithEarlyEvent(create, event);
    }

    @Override
    public List<EarlyEventRecord> earlyEvents() {
        return real.earlyEvents();
    }

    @Override
    public CompletableFuture<List<EarlyEventRecord>> dropEarlyEvents(List<EarlyEventRecord> expired) {
        return real.dropEarlyEvents(expired);
    }

    @Override
    public StoreHealth health() {
        return real.health();
    }

    @Override
    public StoreStats stats() {
        return real.stats();
    }

    @Override
    public void observeBatches(BatchObserver observer) {
        real.observeBatches(observer);
    }

    @Override
    public CompletableFuture<Void> backupTo(Path target) {
        return real.backupTo(target);
    }

    @Override
    public void close() {
        real.close();
    }
}
