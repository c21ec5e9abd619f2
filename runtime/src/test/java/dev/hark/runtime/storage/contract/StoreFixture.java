package dev.hark.runtime.storage.contract;

import dev.hark.runtime.storage.WorkflowStore;

/**
 * How a store contract test opens the store under test. Each test gets an empty store; opening
 * again after closing sees what was written before (the same folder, the same database).
 */
public interface StoreFixture {

    /** @return the store with its default batch size and queue capacity */
    WorkflowStore open();

    /** @return the store with at most {@code maxBatch} writes per transaction and {@code queueCapacity} queued */
    WorkflowStore open(int maxBatch, int queueCapacity);

    /**
     * Holds the store's writer inside a batch until closed, so that every write queued meanwhile
     * lands in the next batch: batch composition without timing.
     */
    AutoCloseable pauseWriter(WorkflowStore store) throws Exception;

    /** Empties the store before each test, where tests share one (a database per test class). */
    default void reset() {}

    /** @return how many claims the store's retention sweep looks at per transaction */
    int sweepChunk();
}
