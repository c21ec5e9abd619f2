package dev.hark.runtime.testing;

import dev.hark.runtime.storage.ForwardingWorkflowStore;
import dev.hark.runtime.storage.StoreWrite;
import dev.hark.runtime.storage.TaskState;
import dev.hark.runtime.storage.WorkflowStore;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * A real store with a gate in front of event checkpoints: while closed, checkpoints are held (not
 * yet queued to the real store); {@link #open()} passes the held ones on in arrival order, and
 * later ones go straight through. Lets a test act while a checkpoint is in flight.
 */
public final class GateStore extends ForwardingWorkflowStore {

    private final CompletableFuture<Void> gate = new CompletableFuture<>();
    private final Semaphore held = new Semaphore(0);

    public GateStore(WorkflowStore real) {
        super(real);
    }

    @Override
    public CompletableFuture<Void> write(StoreWrite write) {
        if (write instanceof StoreWrite.PutTask put && put.state() == TaskState.CHECKPOINTED && !gate.isDone()) {
            held.release();
            return gate.thenCompose(open -> super.write(write));
        }
        return super.write(write);
    }

    /** Waits until {@code count} checkpoints are held at the gate. */
    public void awaitHeld(int count) throws InterruptedException {
        if (!held.tryAcquire(count, 30, TimeUnit.SECONDS)) {
            throw new AssertionError("fewer than " + count + " checkpoints reached the gate within 30 s");
        }
        held.release(count);
    }

    public void open() {
        gate.complete(null);
    }
}
