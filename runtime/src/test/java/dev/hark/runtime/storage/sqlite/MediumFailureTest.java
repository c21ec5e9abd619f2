package dev.hark.runtime.storage.sqlite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hark.runtime.storage.StorageException;
import dev.hark.runtime.storage.StoreStats;
import dev.hark.runtime.storage.StoreWrite;
import dev.hark.runtime.storage.StoreWrite.CreateWorkflow;
import dev.hark.runtime.storage.StoreWrite.PutTask;
import dev.hark.runtime.storage.StoreWrite.SetStatus;
import dev.hark.runtime.storage.TaskRecord;
import dev.hark.runtime.storage.TaskState;
import dev.hark.runtime.storage.WorkflowSummary;
import dev.hark.workflow.WorkflowStatus;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full medium, for real: {@code PRAGMA max_page_count} caps the database file on the writer's
 * connection, so SQLite answers SQLITE_FULL exactly as on a full disk (tests run as root, so
 * read-only permissions would not bite).
 */
class MediumFailureTest {

    @TempDir
    Path dir;

    private static long setMaxPages(SqliteWorkflowStore store, long pages) {
        return store.onWriter(c -> {
                    try (Statement s = c.createStatement()) {
                        long limit = pages;
                        if (limit <= 0) { // cap at the current size
                            try (ResultSet rs = s.executeQuery("PRAGMA page_count")) {
                                rs.next();
                                limit = rs.getLong(1);
                            }
                        }
                        try (ResultSet rs = s.executeQuery("PRAGMA max_page_count = " + limit)) {
                            rs.next();
                            return rs.getLong(1);
                        }
                    }
                })
                .join();
    }

    @Test
    void fullDiskFailsTheWholeBatchAppliesNothingAndRecovers() throws Exception {
        String bigDag = "{\"pad\":\"" + "x".repeat(20_000) + "\"}";
        try (SqliteWorkflowStore store = SqliteWorkflowStore.open(dir)) {
            store.write(new CreateWorkflow("keep", "{}", 1)).join();
            store.write(new PutTask("keep", "t", TaskState.CHECKPOINTED, "cp")).join();
            StoreStats before = store.stats();

            setMaxPages(store, 0);

            List<CompletableFuture<Void>> batch = new ArrayList<>();
            try (WriterPause pause = new WriterPause(store)) {
                // Small writes that would fit, first: they must be rolled back with the rest.
                batch.add(store.write(new SetStatus("keep", WorkflowStatus.FAILED, null, "nope")));
                batch.add(store.write(new StoreWrite.MarkCommitted("keep", "t")));
                for (int i = 0; i < 20; i++) {
                    batch.add(store.write(new CreateWorkflow("big-" + i, bigDag, 2)));
                }
            }

            for (CompletableFuture<Void> f : batch) {
                CompletionException e = assertThrows(CompletionException.class, f::join);
                StorageException se = assertInstanceOf(StorageException.class, e.getCause());
                assertTrue(se.getMessage().contains("disk is full"), se.getMessage());
                assertTrue(se.getMessage().contains("hark.db"), se.getMessage());
            }
            // Nothing half-applied.
            assertEquals(List.of(new WorkflowSummary("keep", WorkflowStatus.RUNNING)), store.list(Optional.empty()));
            assertEquals(List.of(new TaskRecord("t", TaskState.CHECKPOINTED, "cp")), store.tasks("keep"));
            assertEquals(before, store.stats(), "a failed batch neither applies nor commits");

            // Still full: still failing, writer still alive.
            CompletionException again = assertThrows(
                    CompletionException.class,
                    () -> store.write(new CreateWorkflow("big-again", bigDag, 3))
                            .join());
            assertInstanceOf(StorageException.class, again.getCause());
            assertTrue(
                    again.getCause().getMessage().contains("disk is full"),
                    again.getCause().getMessage());

            // The medium recovers: later writes succeed.
            setMaxPages(store, 1_073_741_823);
            store.write(new CreateWorkflow("big-0", bigDag, 4)).join();
            store.write(new SetStatus("keep", WorkflowStatus.SUCCESSFUL, "\"out\"", null))
                    .join();
            assertEquals(bigDag, store.workflow("big-0").orElseThrow().dagJson());
            assertEquals(
                    WorkflowStatus.SUCCESSFUL,
                    store.workflow("keep").orElseThrow().status());
        }
        try (SqliteWorkflowStore reopened = SqliteWorkflowStore.open(dir)) {
            assertEquals(
                    List.of(
                            new WorkflowSummary("big-0", WorkflowStatus.RUNNING),
                            new WorkflowSummary("keep", WorkflowStatus.SUCCESSFUL)),
                    reopened.list(Optional.empty()));
        }
    }

    @Test
    void readOnlyDatabaseFailsWithAPlainMessageAndRecovers() {
        try (SqliteWorkflowStore store = SqliteWorkflowStore.open(dir)) {
            store.write(new CreateWorkflow("keep", "{}", 1)).join();
            // query_only makes SQLite answer SQLITE_READONLY to every write, as a read-only mount would.
            store.onWriter(c -> {
                        try (Statement s = c.createStatement()) {
                            s.execute("PRAGMA query_only = ON");
                        }
                        return null;
                    })
                    .join();

            CompletionException e = assertThrows(
                    CompletionException.class,
                    () -> store.write(new SetStatus("keep", WorkflowStatus.FAILED, null, "x"))
                            .join());
            StorageException se = assertInstanceOf(StorageException.class, e.getCause());
            assertTrue(se.getMessage().contains("read-only"), se.getMessage());
            assertEquals(
                    WorkflowStatus.RUNNING, store.workflow("keep").orElseThrow().status());

            // The writer keeps its connection (and so the medium's state): still read-only.
            CompletionException again = assertThrows(
                    CompletionException.class,
                    () -> store.write(new CreateWorkflow("other", "{}", 2)).join());
            assertTrue(
                    again.getCause().getMessage().contains("read-only"),
                    again.getCause().getMessage());

            store.onWriter(c -> {
                        try (Statement s = c.createStatement()) {
                            s.execute("PRAGMA query_only = OFF");
                        }
                        return null;
                    })
                    .join();
            store.write(new SetStatus("keep", WorkflowStatus.FAILED, null, "x")).join();
            assertEquals(
                    WorkflowStatus.FAILED, store.workflow("keep").orElseThrow().status());
        }
    }
}
