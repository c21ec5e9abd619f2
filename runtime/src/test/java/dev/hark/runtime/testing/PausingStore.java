package dev.hark.runtime.testing;

import dev.hark.runtime.storage.ForwardingWorkflowStore;
import dev.hark.runtime.storage.StoredWorkflow;
import dev.hark.runtime.storage.WorkflowStore;
import dev.hark.workflow.WorkflowStatus;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A real store whose bulk read for resuming ({@code forEachWithTasks}) stops after handing out the
 * first {@code handOutFirst} workflows, until the test calls {@link #release()}: the restart window
 * (some workflows resumed, the others not yet) held open for as long as a test needs it.
 */
public final class PausingStore extends ForwardingWorkflowStore {

    private final int handOutFirst;
    private final CountDownLatch paused = new CountDownLatch(1);
    private final CountDownLatch released = new CountDownLatch(1);

    public PausingStore(WorkflowStore real, int handOutFirst) {
        super(real);
        this.handOutFirst = handOutFirst;
    }

    @Override
    public void forEachWithTasks(WorkflowStatus status, Consumer<StoredWorkflow> action) {
        AtomicInteger handedOut = new AtomicInteger();
        super.forEachWithTasks(status, stored -> {
            if (handedOut.getAndIncrement() == handOutFirst) {
                paused.countDown();
                try {
                    released.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while paused", e);
                }
            }
            action.accept(stored);
        });
        paused.countDown(); // fewer workflows than handOutFirst: never paused, but done
    }

    /** Waits (up to 30 s) until the first workflows are handed out and the read is paused. */
    public void awaitPaused() throws InterruptedException {
        if (!paused.await(30, TimeUnit.SECONDS)) {
            throw new AssertionError("the resumption never reached the pause");
        }
    }

    /** Lets the read go on. Idempotent. */
    public void release() {
        released.countDown();
    }
}
