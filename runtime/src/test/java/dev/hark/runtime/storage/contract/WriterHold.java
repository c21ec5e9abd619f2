package dev.hark.runtime.storage.contract;

import dev.hark.runtime.storage.jdbc.SingleWriter;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Holds a store's writer thread inside a task so that the writes queued meanwhile all land in the
 * next batch: makes batch composition deterministic without timing. Closing it lets the writer go.
 */
public class WriterHold implements AutoCloseable {
    private final CountDownLatch release = new CountDownLatch(1);
    private final CompletableFuture<Void> done;

    /** @param onWriter the store's test hook that runs a task on its writer thread, alone */
    public WriterHold(Function<SingleWriter.WriterTask<Void>, CompletableFuture<Void>> onWriter)
            throws InterruptedException {
        CountDownLatch entered = new CountDownLatch(1);
        done = onWriter.apply(c -> {
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
