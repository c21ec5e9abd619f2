package dev.hark.runtime.storage.sqlite;

import dev.hark.runtime.storage.WorkflowStore;
import dev.hark.runtime.storage.contract.StoreFixture;
import java.nio.file.Path;

/** Opens the SQLite store in one data folder, for the store contract tests. */
record SqliteFixture(Path dataDir) implements StoreFixture {

    @Override
    public WorkflowStore open() {
        return SqliteWorkflowStore.open(dataDir);
    }

    @Override
    public WorkflowStore open(int maxBatch, int queueCapacity) {
        return SqliteWorkflowStore.open(dataDir, maxBatch, queueCapacity);
    }

    @Override
    public AutoCloseable pauseWriter(WorkflowStore store) throws InterruptedException {
        return new WriterPause((SqliteWorkflowStore) store);
    }

    @Override
    public int sweepChunk() {
        return SqliteWorkflowStore.SWEEP_CHUNK;
    }
}
