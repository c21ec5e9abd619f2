package dev.hark.runtime.storage.sqlite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hark.runtime.storage.ClaimRecord;
import dev.hark.runtime.storage.EventClaim;
import dev.hark.runtime.storage.EventClaimedException;
import dev.hark.runtime.storage.StoreWrite.CreateWorkflow;
import dev.hark.runtime.storage.StoreWrite.MarkCommitted;
import dev.hark.runtime.storage.StoreWrite.PutTask;
import dev.hark.runtime.storage.TaskRecord;
import dev.hark.runtime.storage.TaskState;
import dev.hark.workflow.UnknownWorkflowException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store's side of R7.1 and R7.2: claims written with checkpoints, refused atomically, swept. */
class EventClaimStoreTest {

    private static final EventClaim ORDER_7 = new EventClaim("com.acme.QueueListener", "orders#7");

    @TempDir
    Path dir;

    private static PutTask checkpoint(String workflow, String task, EventClaim... claims) {
        return new PutTask(workflow, task, TaskState.CHECKPOINTED, "{\"event\":\"" + task + "\"}", List.of(claims));
    }

    private static Throwable failureOf(CompletableFuture<?> f) {
        CompletionException e = assertThrows(CompletionException.class, f::join);
        return e.getCause();
    }

    @Test
    void aSecondCheckpointOfAClaimedOccurrenceIsRefusedAndWritesNothing() {
        try (SqliteWorkflowStore store = SqliteWorkflowStore.open(dir)) {
            store.write(new CreateWorkflow("w1", "{}", 1)).join();
            store.write(new CreateWorkflow("w2", "{}", 1)).join();
            store.write(checkpoint("w1", "wait", ORDER_7)).join();

            Throwable refused = failureOf(store.write(checkpoint("w2", "wait", ORDER_7)));
            EventClaimedException claimed = assertInstanceOf(EventClaimedException.class, refused);
            assertEquals("w1", claimed.holder().workflowId());
            assertEquals("wait", claimed.holder().taskId());
            assertTrue(
                    claimed.getMessage().contains("orders#7")
                            && claimed.getMessage().contains("[R7.1]"),
                    claimed.getMessage());
            assertEquals(List.of(), store.tasks("w2"), "the refused checkpoint left no task row");
            assertEquals("w1", store.claim(ORDER_7).orElseThrow().workflowId(), "the first claim stands");
        }
    }

    @Test
    void aCheckpointWithSeveralClaimsIsAllOrNothing() {
        EventClaim key = EventClaim.inbox("w2", "idem-1");
        try (SqliteWorkflowStore store = SqliteWorkflowStore.open(dir)) {
            store.write(new CreateWorkflow("w1", "{}", 1)).join();
            store.write(new CreateWorkflow("w2", "{}", 1)).join();
            store.write(checkpoint("w1", "wait", ORDER_7)).join();

            assertInstanceOf(
                    EventClaimedException.class, failureOf(store.write(checkpoint("w2", "wait", key, ORDER_7))));
            assertEquals(Optional.empty(), store.claim(key), "the free claim was not recorded either");
            store.write(checkpoint("w2", "wait", key)).join();
            assertEquals("w2", store.claim(key).orElseThrow().workflowId());
        }
    }

    @Test
    void noTaskRowOrClaimIsWrittenForAMissingWorkflow() {
        try (SqliteWorkflowStore store = SqliteWorkflowStore.open(dir)) {
            assertInstanceOf(
                    UnknownWorkflowException.class,
                    failureOf(store.write(new PutTask("gone", "t", TaskState.DONE, "1"))));
            assertInstanceOf(
                    UnknownWorkflowException.class, failureOf(store.write(checkpoint("gone", "wait", ORDER_7))));
            assertEquals(List.of(), store.tasks("gone"));
            assertEquals(Optional.empty(), store.claim(ORDER_7));
        }
    }

    @Test
    void claimsSurviveAReopen() {
        try (SqliteWorkflowStore store = SqliteWorkflowStore.open(dir)) {
            store.write(new CreateWorkflow("w1", "{}", 1)).join();
            store.write(checkpoint("w1", "wait", ORDER_7)).join();
        }
        try (SqliteWorkflowStore store = SqliteWorkflowStore.open(dir)) {
            store.write(new CreateWorkflow("w2", "{}", 1)).join();
            assertInstanceOf(EventClaimedException.class, failureOf(store.write(checkpoint("w2", "wait", ORDER_7))));
        }
    }

    @Test
    void theSweepDeletesOldCommittedClaimsInChunksAndKeepsUncommittedAndYoungOnes() {
        int committed = SqliteWorkflowStore.SWEEP_CHUNK * 2 + 500; // several chunks
        try (SqliteWorkflowStore store = SqliteWorkflowStore.open(dir)) {
            store.write(new CreateWorkflow("w", "{}", 1)).join();
            List<CompletableFuture<Void>> writes = new ArrayList<>();
            for (int i = 0; i < committed; i++) {
                writes.add(store.write(checkpoint("w", "t" + i, new EventClaim("src", "e" + i))));
                writes.add(store.write(new MarkCommitted("w", "t" + i)));
            }
            writes.add(store.write(checkpoint("w", "stuck", new EventClaim("src", "uncommitted"))));
            writes.forEach(CompletableFuture::join);

            assertEquals(0, store.sweepClaims(0).join(), "nothing is older than the epoch");
            assertTrue(store.claim(new EventClaim("src", "e0")).isPresent());

            long future = System.currentTimeMillis() + 60_000;
            assertEquals(committed, store.sweepClaims(future).join());
            assertEquals(Optional.empty(), store.claim(new EventClaim("src", "e0")));
            assertEquals(Optional.empty(), store.claim(new EventClaim("src", "e" + (committed - 1))));
            ClaimRecord stuck =
                    store.claim(new EventClaim("src", "uncommitted")).orElseThrow();
            assertEquals("stuck", stuck.taskId(), "a claim whose commit is not recorded is kept, however old");
            assertEquals(
                    new TaskRecord("stuck", TaskState.CHECKPOINTED, "{\"event\":\"stuck\"}"),
                    store.tasks("w").stream()
                            .filter(t -> t.taskId().equals("stuck"))
                            .findFirst()
                            .orElseThrow());
        }
    }

    @Test
    void aVersion2DatabaseGainsTheClaimsTableOnOpen() throws Exception {
        try (SqliteWorkflowStore store = SqliteWorkflowStore.open(dir)) {
            store.write(new CreateWorkflow("old", "{}", 1)).join();
        }
        try (Connection c =
                        DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(SqliteWorkflowStore.DB_FILE_NAME));
                Statement s = c.createStatement()) {
            s.execute("DROP TABLE event_claims");
            s.execute("PRAGMA user_version = 2");
        }
        try (SqliteWorkflowStore store = SqliteWorkflowStore.open(dir)) {
            store.write(checkpoint("old", "wait", ORDER_7)).join();
            assertEquals("old", store.claim(ORDER_7).orElseThrow().workflowId());
        }
    }
}
