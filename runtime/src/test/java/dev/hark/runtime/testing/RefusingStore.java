package dev.hark.runtime.testing;

import dev.hark.runtime.storage.ForwardingWorkflowStore;
import dev.hark.runtime.storage.StorageException;
import dev.hark.runtime.storage.StoreWrite;
import dev.hark.runtime.storage.TaskState;
import dev.hark.runtime.storage.WorkflowStore;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real store whose disk refuses the first few event checkpoints, the way a full disk would: the
 * write fails with {@link StorageException} and nothing of it is applied.
 */
public final class RefusingStore extends ForwardingWorkflowStore {

    private final AtomicInteger refusalsLeft;
    private final AtomicInteger checkpointAttempts = new AtomicInteger();

    public RefusingStore(WorkflowStore real, int refusals) {
        super(real);
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
        return super.write(write);
    }
}
