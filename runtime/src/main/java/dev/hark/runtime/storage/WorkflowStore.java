package dev.hark.runtime.storage;

import dev.hark.workflow.WorkflowStatus;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Durable state of workflows.
 *
 * <p>Writes are asynchronous: {@link #write} queues a change and returns a future that completes
 * only once the change is durable (on disk and flushed), so that many concurrent writers can share
 * one flush (group commit). Writes are applied in the order they were queued: a write is never
 * durable before one queued ahead of it, unless that one failed (the runtime relies on this to
 * queue a commit mark and the final status back to back). Each write is applied atomically and independently: one failing write
 * (say, a duplicate workflow id) fails only its own future. When the medium fails (disk full,
 * read-only), the affected futures fail with {@link StorageException} and nothing of them is
 * applied.
 *
 * <p>Futures may complete on the store's own writer thread: dependent actions MUST NOT block, and
 * should hop to another executor for real work.
 */
public interface WorkflowStore extends AutoCloseable {

    /**
     * Queues a write.
     *
     * @param write the change
     * @return completes when the change is durable; fails with {@link dev.hark.workflow.WorkflowExistsException}
     *     for a {@link StoreWrite.CreateWorkflow} whose id exists, or with {@link StorageException}
     *     ({@link StoreBusyException}, at once, when the write queue is full and the write
     *     {@linkplain StoreWrite#admitsWork() admits work}; a write that finishes admitted work is
     *     never refused for a full queue)
     */
    CompletableFuture<Void> write(StoreWrite write);

    /** @return the workflow, if one with this id is stored */
    Optional<WorkflowRecord> workflow(String workflowId);

    /** @return the stored task records of a workflow, in no particular order */
    List<TaskRecord> tasks(String workflowId);

    /**
     * @param status the status to filter by, or empty for all
     * @return the ids and statuses of stored workflows, ordered by id
     */
    List<WorkflowSummary> list(Optional<WorkflowStatus> status);

    /**
     * One page of {@link #list(Optional)}.
     *
     * @param afterId only ids after this one (the last id of the previous page), or null for the first page
     * @param limit at most this many, 1 or more
     * @return ids and statuses ordered by id
     */
    default List<WorkflowSummary> list(Optional<WorkflowStatus> status, String afterId, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1, was " + limit);
        }
        return list(status).stream()
                .filter(w -> afterId == null || w.id().compareTo(afterId) > 0)
                .limit(limit)
                .toList();
    }

    /** @return how many stored workflows are in {@code status} */
    default int count(WorkflowStatus status) {
        return list(Optional.of(status)).size();
    }

    /**
     * Streams every workflow in {@code status} together with its task records, reading in bulk so
     * that resuming 100,000 workflows does not cost 100,000 queries.
     */
    void forEachWithTasks(WorkflowStatus status, Consumer<StoredWorkflow> action);

    /**
     * Streams the given workflows that are stored, each with its task records, in bulk (resuming
     * the workflows a node took over). Ids not stored are skipped.
     */
    default void forEachWithTasks(java.util.Collection<String> workflowIds, Consumer<StoredWorkflow> action) {
        for (String id : workflowIds) {
            workflow(id).ifPresent(w -> action.accept(new StoredWorkflow(w, tasks(id))));
        }
    }

    /**
     * @return the leases of a store that several runtimes share; empty for a store only one
     *     runtime opens at a time
     */
    default Optional<NodeLeases> nodeLeases() {
        return Optional.empty();
    }

    /**
     * Marks every {@link WorkflowStatus#RUNNING} workflow {@link WorkflowStatus#RESUMABLE}: called
     * once at start-up, when no workflow can be running yet.
     *
     * @return how many were marked
     */
    int markRunningResumable();

    /**
     * @return the stored claim on an occurrence, if a wait has checkpointed it and the claim was not
     *     yet swept [R7.1]
     */
    Optional<ClaimRecord> claim(EventClaim claim);

    /**
     * Deletes the claims recorded before {@code claimedBeforeMillis} whose event no longer awaits its
     * commit: a claim on a checkpointed event whose commit is not recorded is kept, whatever its
     * age, since its source may still redeliver it. A SUCCESSFUL workflow has every commit recorded
     * [R5.5], also when its final status recorded the last one and the task row still says
     * CHECKPOINTED. Runs in small transactions through the writer,
     * so other writes go on meanwhile.
     *
     * @return completes with the number of claims deleted
     */
    CompletableFuture<Integer> sweepClaims(long claimedBeforeMillis);

    /** @return counters for benchmarks and diagnostics */
    StoreStats stats();

    /**
     * Tells {@code observer} of each transaction committed from now on (the metrics' batch size and
     * commit latency). Stores without transactions of their own ignore it.
     */
    default void observeBatches(BatchObserver observer) {}

    /**
     * Writes a consistent copy of the store to {@code target}, a new file, while the store serves:
     * everything committed before the call is in it. The copy is durable once the stage completes.
     *
     * @return fails with {@link java.nio.file.FileAlreadyExistsException} when {@code target}
     *     exists, {@link UnsupportedOperationException} for a store that cannot copy itself
     */
    default CompletableFuture<Void> backupTo(Path target) {
        return CompletableFuture.failedFuture(new UnsupportedOperationException(
                getClass().getName() + " cannot back itself up; use the tools of its database"));
    }

    /**
     * @return whether the store takes writes now: the readiness check ({@code /health/ready})
     *     answers 503 while it does not. Writable by default, for stores that cannot tell.
     */
    default StoreHealth health() {
        return StoreHealth.WRITABLE;
    }

    /**
     * Buffers an early event [R9.1], durably when the returned stage completes: one row, unless the
     * workflow already has an event with this id buffered, or its inbox claimed the id, or the
     * workflow is not stored as RUNNING. A checkpoint that claims the id in the workflow's inbox
     * scope removes the row in its own transaction (see {@link StoreWrite.PutTask}) [R9.3].
     *
     * @return BUFFERED, ALREADY_BUFFERED, ALREADY_RECORDED or WORKFLOW_NOT_RUNNING
     */
    default CompletableFuture<EarlyEventOutcome> bufferEarlyEvent(EarlyEventRecord event) {
        return CompletableFuture.failedFuture(
                new UnsupportedOperationException(getClass().getName() + " does not keep early events"));
    }

    /**
     * Creates a workflow and buffers an event for it in one transaction [R9.6], or writes nothing
     * when a workflow with that id is stored.
     *
     * @return CREATED or WORKFLOW_EXISTS
     */
    default CompletableFuture<EarlyEventOutcome> createWithEarlyEvent(
            StoreWrite.CreateWorkflow create, EarlyEventRecord event) {
        return CompletableFuture.failedFuture(
                new UnsupportedOperationException(getClass().getName() + " does not keep early events"));
    }

    /** @return every buffered early event, oldest first (read when a runtime opens) */
    default List<EarlyEventRecord> earlyEvents() {
        return List.of();
    }

    /**
     * Deletes the given buffered events (expired ones) and every event buffered for a workflow that
     * is no longer stored or is SUCCESSFUL or CANCELED [R9.4].
     *
     * @return the events deleted
     */
    default CompletableFuture<List<EarlyEventRecord>> dropEarlyEvents(List<EarlyEventRecord> expired) {
        return CompletableFuture.completedFuture(List.of());
    }

    /** Flushes queued writes, stops the writer and releases the files. */
    @Override
    void close();
}
