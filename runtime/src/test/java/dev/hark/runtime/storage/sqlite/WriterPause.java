package dev.hark.runtime.storage.sqlite;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Holds the writer thread inside a batch so that the writes queued meanwhile all land in the next
 * batch: makes batch composition deterministic without timing.
 */
final class WriterPause implements AutoCloseable {
    private final CountDownLatch release = new CountDownLatch(1);
    private final CompletableFuture<Void> done;

    WriterPause(SqliteWorkflowStore store) throws InterruptedException {
        CountDownLatch entered = new CountDownLatch(1);
        done = store.onWriter(c -> {
            entered.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return null;
        });
        if (!entered.await(10, TimeUnit.SECONDS)) {
            throw new AssertionError("writer did not pick up the pause");
        }
    }

    @Override
    public void close() {
        release.countDown();
        done.join();
    }
}
