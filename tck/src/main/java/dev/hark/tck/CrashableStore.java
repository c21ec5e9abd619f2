package dev.hark.tck;

import dev.hark.runtime.storage.ForwardingWorkflowStore;
import dev.hark.runtime.storage.StoreWrite;
import dev.hark.runtime.storage.TaskState;
import dev.hark.runtime.storage.WorkflowStore;
import dev.hark.workflow.WorkflowStatus;
import java.util.concurrent.CompletableFuture;

/**
 * A real store whose disk can be frozen at a chosen point of one workflow's protocol, observed
 * through the writes: from then on no write becomes durable and no completion reaches the runtime,
 * as when the process died. {@link #arm} sets the point; {@link #crashed()} completes when it is
 * reached, and the TCK then drops the runtime with {@code Hark.crashForTesting()}.
 */
public final class CrashableStore extends ForwardingWorkflowStore {

    private volatile boolean frozen;
    private volatile String armedWorkflow;
    private volatile CrashPoint armedPoint = CrashPoint.NONE;
    private volatile CompletableFuture<CrashPoint> crashed = new CompletableFuture<>();
    private volatile String lastCheckpoint;

    public CrashableStore(WorkflowStore real) {
        super(real);
    }

    /** Arms a crash of {@code workflowId} at {@code point}; returns the future that completes when it is reached. */
    public synchronized CompletableFuture<CrashPoint> arm(String workflowId, CrashPoint point) {
        armedWorkflow = workflowId;
        armedPoint = point;
        lastCheckpoint = null;
        crashed = new CompletableFuture<>();
        return crashed;
    }

    /** @return completes when the armed point is reached */
    public CompletableFuture<CrashPoint> crashed() {
        return crashed;
    }

    /** @return the envelope of the armed workflow's last checkpoint write, submitted or durable, or null */
    public String lastCheckpoint() {
        return lastCheckpoint;
    }

    /** @return whether the disk is frozen */
    public boolean frozen() {
        return frozen;
    }

    private void freezeAndCrash(CrashPoint point) {
        frozen = true;
        crashed.complete(point);
    }

    @Override
    public CompletableFuture<Void> write(StoreWrite write) {
        if (frozen) {
            return new CompletableFuture<>(); // a dead process writes nothing more
        }
        CrashPoint point = armedPoint;
        boolean mine = point != CrashPoint.NONE && write.workflowId().equals(armedWorkflow);
        boolean checkpoint = write instanceof StoreWrite.PutTask put && put.state() == TaskState.CHECKPOINTED;
        // The runtime records a commit with a mark, or, when the commit ends the workflow, with the
        // final status alone (a successful workflow has every commit recorded, R5.5).
        boolean commitRecord = write instanceof StoreWrite.MarkCommitted
                || write instanceof StoreWrite.SetStatus status && status.status() == WorkflowStatus.SUCCESSFUL;
        if (checkpoint && write.workflowId().equals(armedWorkflow)) {
            lastCheckpoint = ((StoreWrite.PutTask) write).outputJson();
        }
        if (mine
                && (point == CrashPoint.BEFORE_CHECKPOINT && checkpoint
                        || point == CrashPoint.COMMIT_NOT_RECORDED && commitRecord)) {
            freezeAndCrash(point);
            return new CompletableFuture<>();
        }
        CompletableFuture<Void> toRuntime = new CompletableFuture<>();
        super.write(write).whenComplete((ok, failure) -> {
            if (frozen) {
                return; // became durable (or not) after the process died: nobody learns it
            }
            if (failure == null
                    && mine
                    && (point == CrashPoint.AFTER_CHECKPOINT && checkpoint
                            || point == CrashPoint.AFTER_COMMIT_RECORDED && commitRecord)) {
                freezeAndCrash(point);
                return;
            }
            if (failure == null && mine && point == CrashPoint.INSIDE_COMMIT && checkpoint) {
                frozen = true; // the commit's record (and anything after) will never be durable
                toRuntime.complete(null); // the runtime goes on to eventCheckpointed...
                crashed.complete(point); // ...and the TCK kills it after the step's delay
                return;
            }
            if (failure != null) {
                toRuntime.completeExceptionally(failure);
            } else {
                toRuntime.complete(null);
            }
        });
        return toRuntime;
    }
}
