package dev.hark.runtime.testing;

import dev.hark.runtime.storage.ForwardingWorkflowStore;
import dev.hark.runtime.storage.StoreWrite;
import dev.hark.runtime.storage.TaskState;
import dev.hark.runtime.storage.WorkflowStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

/**
 * A real store that makes event checkpoints durable but never tells the runtime: once the write
 * is committed it touches a marker file, and the future it returns never completes. A kill then
 * lands after the checkpoint and before anything that follows it.
 */
public final class DurableThenStalledStore extends ForwardingWorkflowStore {

    private final Path marker;

    public DurableThenStalledStore(WorkflowStore real, Path marker) {
        super(real);
        this.marker = marker;
    }

    @Override
    public CompletableFuture<Void> write(StoreWrite write) {
        if (write instanceof StoreWrite.PutTask put && put.state() == TaskState.CHECKPOINTED) {
            super.write(write).thenRun(() -> {
                try {
                    Files.writeString(marker, put.taskId());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            return new CompletableFuture<>();
        }
        return super.write(write);
    }
}
