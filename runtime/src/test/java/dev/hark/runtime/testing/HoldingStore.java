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
 * A real store whose disk stalls on event checkpoints: they are never written and never complete,
 * the way a hung disk behaves. Each stalled checkpoint touches a marker file, so that a test can
 * tell the event reached the runtime and is now between receipt and checkpoint.
 */
public final class HoldingStore extends ForwardingWorkflowStore {

    private final Path marker;

    public HoldingStore(WorkflowStore real, Path marker) {
        super(real);
        this.marker = marker;
    }

    @Override
    public CompletableFuture<Void> write(StoreWrite write) {
        if (write instanceof StoreWrite.PutTask put && put.state() == TaskState.CHECKPOINTED) {
            try {
                Files.writeString(marker, put.taskId());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return new CompletableFuture<>();
        }
        return super.write(write);
    }
}
