package dev.hark.runtime.storage.sqlite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hark.runtime.storage.StoreHealth;
import dev.hark.runtime.storage.StoreWrite.CreateWorkflow;
import dev.hark.runtime.storage.StoreWrite.SetStatus;
import dev.hark.runtime.storage.contract.StoreFixture;
import dev.hark.runtime.storage.contract.WriterBoundsContract;
import dev.hark.runtime.testing.Await;
import dev.hark.workflow.WorkflowStatus;
import java.nio.file.Path;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The writer-bounds contract on SQLite, and readiness around a read-only medium. */
class WriterBoundsTest extends WriterBoundsContract {

    @TempDir
    Path dir;

    @Override
    protected StoreFixture fixture() {
        return new SqliteFixture(dir);
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
