package dev.hark.runtime.storage;

import dev.hark.workflow.WorkflowStatus;
import java.util.List;
import java.util.Objects;

/** One change to durable state, applied atomically. */
public sealed interface StoreWrite {

    /** The workflow this write belongs to. */
    String workflowId();

    /**
     * @return whether this write admits new work — a new workflow, or an event's checkpoint — and
     *     may therefore be refused with {@link StoreBusyException} when the store's queue is full.
     *     Every other write finishes work already admitted (a task's output, a commit mark, a final
     *     status) and is always queued: refusing it would fail a workflow the store has accepted,
     *     and its number is bounded by the work admitted.
     */
    default boolean admitsWork() {
        return this instanceof CreateWorkflow || this instanceof PutTask put && put.state() == TaskState.CHECKPOINTED;
    }

    /**
     * A new workflow in status {@link WorkflowStatus#RUNNING}, with its definition.
     *
     * @param dagJson the serialized DAG
     * @param createdAtMillis creation time, epoch milliseconds
     */
    record CreateWorkflow(String workflowId, String dagJson, long createdAtMillis) implements StoreWrite {}

    /**
     * Inserts or replaces a task's record: a task's output, or an event's checkpoint. Refused (and
     * nothing written) when the workflow is not stored, so that a task finishing after its
     * workflow was deleted leaves no row for a later workflow with the same id.
     *
     * <p>An event's checkpoint carries the claims on its occurrence [R7.1]: each is recorded in the
     * same transaction, and if any is already held the whole write is refused with
     * {@link EventClaimedException} and nothing of it is applied.
     *
     * <p>The checkpoint of a wait that races in a {@code firstOf} carries the race's
     * {@link Decision}: the race's own record, inserted in the same transaction. If the race already
     * has its record, another member won: the whole write is refused with
     * {@link RaceDecidedException} and nothing of it is applied [R8.1].
     *
     * @param outputJson the output envelope (see {@code dev.hark.workflow.internal.ValueCodec})
     * @param claims the claims to record with the checkpoint; empty for a plain task's output
     * @param decision the race this checkpoint decides, or null
     */
    record PutTask(
            String workflowId,
            String taskId,
            TaskState state,
            String outputJson,
            List<EventClaim> claims,
            Decision decision)
            implements StoreWrite {

        public PutTask {
            claims = List.copyOf(Objects.requireNonNull(claims, "claims"));
        }

        /** A checkpoint or output that decides no race. */
        public PutTask(String workflowId, String taskId, TaskState state, String outputJson, List<EventClaim> claims) {
            this(workflowId, taskId, state, outputJson, claims, null);
        }

        /** A record without claims. */
        public PutTask(String workflowId, String taskId, TaskState state, String outputJson) {
            this(workflowId, taskId, state, outputJson, List.of(), null);
        }

        /** @return whether applying this write can be refused for a reason other than a missing workflow */
        public boolean guarded() {
            return decision != null || !claims.isEmpty();
        }
    }

    /**
     * The record of a race's outcome, written with the winning checkpoint, at most once per race.
     *
     * @param taskId the race's task id
     * @param outputJson the race's output envelope, built from the winner's event
     */
    record Decision(String taskId, String outputJson) {
        public Decision {
            Objects.requireNonNull(taskId, "taskId");
            Objects.requireNonNull(outputJson, "outputJson");
        }
    }

    /** Moves a checkpointed event task to {@link TaskState#COMMITTED}, keeping its output. */
    record MarkCommitted(String workflowId, String taskId) implements StoreWrite {}

    /**
     * Sets a workflow's status, and its output or error where the status has one.
     *
     * @param outputJson the output envelope, or null
     * @param error a description of the failure, or null
     */
    record SetStatus(String workflowId, WorkflowStatus status, String outputJson, String error) implements StoreWrite {}

    /** Removes a workflow and all its task records. */
    record DeleteWorkflow(String workflowId) implements StoreWrite {}
}
