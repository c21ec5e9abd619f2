package dev.hark.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hark.runtime.storage.ForwardingWorkflowStore;
import dev.hark.runtime.storage.StoreWrite;
import dev.hark.runtime.storage.TaskState;
import dev.hark.runtime.storage.sqlite.SqliteWorkflowStore;
import dev.hark.runtime.testing.ChannelListener;
import dev.hark.runtime.testing.Channels;
import dev.hark.workflow.Dag;
import dev.hark.workflow.WorkflowStatus;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A workflow that crashed after checkpointing an event but before committing it, then is canceled
 * instead of resumed: the event it consumed is still committed at its source, once.
 */
class CancelAfterCrashTest {

    @TempDir
    Path dataDir;

    @Test
    void cancellingAWorkflowStoppedBetweenCheckpointAndCommitStillCommitsItsEvent() throws Exception {
        String channel = "ch-" + UUID.randomUUID();
        Hark first = Hark.builder()
                .dataDir(dataDir)
                .store(dir -> new ForwardingWorkflowStore(SqliteWorkflowStore.open(dir)) {
                    @Override
                    public CompletableFuture<Void> write(StoreWrite write) {
                        CompletableFuture<Void> durable = super.write(write);
                        // The checkpoint reaches the disk, but the runtime dies before it hears so.
                        return write instanceof StoreWrite.PutTask put && put.state() == TaskState.CHECKPOINTED
                                ? new CompletableFuture<>()
                                : durable;
                    }
                })
                .open();
        first.runAsync(Dag.waitForEvent(ChannelListener.class, channel), "doomed");
        Channels.channel(channel).awaitPoll();
        Channels.channel(channel).publish("consumed before the crash");
        EventWaitTest.waitForTask(first, "doomed", "ChannelListener");
        first.crashForTesting();
        assertEquals(0, Channels.channel(channel).count("commit"), "the crash came before any commit");

        try (Hark second = Hark.open(dataDir)) {
            assertEquals(WorkflowStatus.RESUMABLE, second.status("doomed"));
            second.cancel("doomed");

            assertEquals(WorkflowStatus.CANCELED, second.status("doomed"));
            assertEquals(
                    1,
                    Channels.channel(channel).count("commit"),
                    Channels.channel(channel).ledger().toString());
            assertTrue(Channels.channel(channel).uncommitted().isEmpty(), "the consumed event left its source");
            assertEquals(1, Channels.channel(channel).count("poll"), "nothing was polled again");
        }
    }
}
