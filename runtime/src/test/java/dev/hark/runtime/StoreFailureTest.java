package dev.hark.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hark.runtime.storage.TaskState;
import dev.hark.runtime.storage.sqlite.SqliteWorkflowStore;
import dev.hark.runtime.testing.ChannelEvent;
import dev.hark.runtime.testing.ChannelListener;
import dev.hark.runtime.testing.Channels;
import dev.hark.runtime.testing.RefusingStore;
import dev.hark.workflow.Dag;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** R5.6: a checkpoint the store refuses loses nothing; the event is polled again and delivered once. */
class StoreFailureTest {

    @TempDir
    Path dataDir;

    @Test
    void aRefusedCheckpointLeavesTheEventAtItsSourceAndItIsDeliveredOnceTheStoreRecovers() throws Exception {
        String channel = "ch-" + UUID.randomUUID();
        AtomicReference<RefusingStore> store = new AtomicReference<>();
        try (Hark hark = Hark.builder()
                .dataDir(dataDir)
                .store(dir -> {
                    store.set(new RefusingStore(SqliteWorkflowStore.open(dir), 2));
                    return store.get();
                })
                .open()) {
            CompletableFuture<ChannelEvent> out =
                    hark.runAsync(Dag.waitForEvent(ChannelListener.class, channel), "refused");
            Channels.channel(channel).awaitPoll();
            ChannelEvent event = Channels.channel(channel).publish("survives a full disk");

            assertEquals(event, out.get(30, TimeUnit.SECONDS));
            assertEquals(3, store.get().checkpointAttempts(), "two refused checkpoints, then one that landed");
            assertEquals(3, Channels.channel(channel).count("poll"), "each refusal polls again");
            assertEquals(3, Channels.channel(channel).count("deliver"), "the source redelivered the same event");
            assertEquals(
                    1,
                    Channels.channel(channel).count("commit"),
                    Channels.channel(channel).ledger().toString());
            assertTrue(
                    Channels.channel(channel).ledger().indexOf("commit " + event.id())
                            > Channels.channel(channel).ledger().lastIndexOf("deliver " + event.id()),
                    "committed only after the last, successful delivery");
            assertEquals(
                    TaskState.CHECKPOINTED,
                    hark.store().tasks("refused").get(0).state(),
                    "checkpointed once; the final status records the commit");
            assertEquals(dev.hark.workflow.WorkflowStatus.SUCCESSFUL, hark.status("refused"));
        }
    }
}
