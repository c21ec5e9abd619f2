package dev.hark.runtime.storage.sqlite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hark.runtime.storage.StoreBusyException;
import dev.hark.runtime.storage.StoreHealth;
import dev.hark.runtime.storage.StoreWrite.CreateWorkflow;
import dev.hark.runtime.storage.StoreWrite.MarkCommitted;
import dev.hark.runtime.storage.StoreWrite.PutTask;
import dev.hark.runtime.storage.StoreWrite.SetStatus;
import dev.hark.runtime.storage.TaskState;
import dev.hark.runtime.storage.WorkflowSummary;
import dev.hark.runtime.testing.Await;
import dev.hark.workflow.WorkflowStatus;
import java.nio.file.Path;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The writer's bounds: a bounded queue that pushes back, writability for readiness, paged listing. */
class WriterBoundsTest {

    @TempDir
    Path dir;

    @Test
    void aFullQueueRefusesAtOnceWithStoreBusyAndTakesWritesAgainOnceDrained() throws Exception {
        try (SqliteWorkflowStore store = SqliteWorkflowStore.open(dir, 100, 3)) {
            List<CompletableFuture<Void>> queued = new ArrayList<>();
            try (WriterPause pause = new WriterPause(store)) {
                for (int i = 0; i < 3; i++) {
                    queued.add(store.write(new CreateWorkflow("w-" + i, "{}", 1)));
                }
                CompletableFuture<Void> refused = store.write(new CreateWorkflow("w-3", "{}", 1));
                assertTrue(refused.isDone(), "refused at once, not queued");
                CompletionException e = assertThrows(CompletionException.class, refused::join);
                StoreBusyException busy = assertInstanceOf(StoreBusyException.class, e.getCause());
                assertTrue(busy.getMessage().contains("3"), busy.getMessage());
            }
            queued.forEach(CompletableFuture::join);
            store.write(new CreateWorkflow("w-3", "{}", 1)).join();
            assertEquals(4, store.list(Optional.empty()).size());
        }
    }

    @Test
    void aFullQueueStillTakesWritesThatFinishAdmittedWork() throws Exception {
        try (SqliteWorkflowStore store = SqliteWorkflowStore.open(dir, 100, 2)) {
            store.write(new CreateWorkflow("admitted", "{}", 1)).join();
            List<CompletableFuture<Void>> queued = new ArrayList<>();
            try (WriterPause pause = new WriterPause(store)) {
                queued.add(store.write(new CreateWorkflow("w-0", "{}", 1)));
                queued.add(store.write(new CreateWorkflow("w-1", "{}", 1)));
                CompletableFuture<Void> checkpoint =
                        store.write(new PutTask("admitted", "event", TaskState.CHECKPOINTED, "{}"));
                assertInstanceOf(
                        StoreBusyException.class,
                        assertThrows(CompletionException.class, checkpoint::join)
                                .getCause(),
                        "an event's checkpoint admits work: refused");
                queued.add(store.write(new PutTask("admitted", "task", TaskState.DONE, "{}")));
                queued.add(store.write(new MarkCommitted("admitted", "task")));
                queued.add(store.write(new SetStatus("admitted", WorkflowStatus.SUCCESSFUL, "{}", null)));
                assertTrue(queued.stream().noneMatch(CompletableFuture::isDone), "queued, none refused");
            }
            queued.forEach(CompletableFuture::join);
            assertEquals(
                    WorkflowStatus.SUCCESSFUL,
                    store.workflow("admitted").orElseThrow().status());
        }
    }

    @Test
    void theDefaultQueueCapacityIs100000() {
        assertEquals(100_000, SqliteWorkflowStore.DEFAULT_QUEUE_CAPACITY);
    }

    @Test
    void aReadOnlyMediumMakesTheStoreUnwritableUntilAWriteCommitsAgain() {
        try (SqliteWorkflowStore store = SqliteWorkflowStore.open(dir)) {
            store.write(new CreateWorkflow("keep", "{}", 1)).join();
            assertEquals(StoreHealth.WRITABLE, store.health());
            queryOnly(store, true);
            assertThrows(
                    CompletionException.class,
                    () -> store.write(new SetStatus("keep", WorkflowStatus.FAILED, null, "x"))
                            .join());
            StoreHealth failing = store.health();
            assertFalse(failing.writable());
            assertTrue(failing.reason().contains("read-only"), failing.reason());

            queryOnly(store, false);
            store.write(new SetStatus("keep", WorkflowStatus.FAILED, null, "x")).join();
            assertEquals(StoreHealth.WRITABLE, store.health());
        }
    }

    @Test
    void readinessComesBackWithTheMediumWithoutAnyOtherWrite() throws Exception {
        try (SqliteWorkflowStore store = SqliteWorkflowStore.open(dir)) {
            store.write(new CreateWorkflow("keep", "{}", 1)).join();
            queryOnly(store, true);
            assertThrows(
                    CompletionException.class,
                    () -> store.write(new SetStatus("keep", WorkflowStatus.FAILED, null, "x"))
                            .join());
            assertFalse(store.health().writable());
            queryOnly(store, false);
            Await.until( // health() probes the medium at most once a second
                    Duration.ofSeconds(10),
                    () -> store.health().writable(),
                    () -> "readiness did not come back: " + store.health());
            assertEquals(
                    WorkflowStatus.RUNNING, store.workflow("keep").orElseThrow().status(), "the probe changes nothing");
        }
    }

    @Test
    void aStatementLocalFailureLeavesTheStoreWritable() {
        try (SqliteWorkflowStore store = SqliteWorkflowStore.open(dir)) {
            store.write(new CreateWorkflow("dup", "{}", 1)).join();
            assertThrows(
                    CompletionException.class,
                    () -> store.write(new CreateWorkflow("dup", "{}", 1)).join());
            assertTrue(store.health().writable());
        }
    }

    @Test
    void listPagesByIdWithAndWithoutAStatus() {
        try (SqliteWorkflowStore store = SqliteWorkflowStore.open(dir)) {
            for (String id : List.of("c", "a", "e", "b", "d")) {
                store.write(new CreateWorkflow(id, "{}", 1)).join();
            }
            store.write(new SetStatus("b", WorkflowStatus.FAILED, null, "x")).join();
            assertEquals(List.of("a", "b"), ids(store.list(Optional.empty(), null, 2)));
            assertEquals(List.of("c", "d"), ids(store.list(Optional.empty(), "b", 2)));
            assertEquals(List.of("e"), ids(store.list(Optional.empty(), "d", 2)));
            assertEquals(List.of(), ids(store.list(Optional.empty(), "e", 2)));
            assertEquals(List.of("c", "d", "e"), ids(store.list(Optional.of(WorkflowStatus.RUNNING), "a", 10)));
            assertThrows(IllegalArgumentException.class, () -> store.list(Optional.empty(), null, 0));
        }
    }

    private static List<String> ids(List<WorkflowSummary> page) {
        return page.stream().map(WorkflowSummary::id).toList();
    }

    private static void queryOnly(SqliteWorkflowStore store, boolean on) {
        store.onWriter(c -> {
                    try (Statement s = c.createStatement()) {
                        s.execute("PRAGMA query_only = " + (on ? "ON" : "OFF"));
                    }
                    return null;
                })
                .join();
    }
}
