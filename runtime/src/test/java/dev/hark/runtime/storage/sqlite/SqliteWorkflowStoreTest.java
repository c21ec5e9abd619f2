package dev.hark.runtime.storage.sqlite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hark.runtime.storage.StoreWrite.CreateWorkflow;
import dev.hark.runtime.storage.StoreWrite.PutTask;
import dev.hark.runtime.storage.TaskState;
import dev.hark.runtime.storage.contract.StoreFixture;
import dev.hark.runtime.storage.contract.WorkflowStoreContract;
import dev.hark.workflow.WorkflowStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store contract on SQLite, and what only the SQLite store does: WAL, full sync, the streaming query plan. */
class SqliteWorkflowStoreTest extends WorkflowStoreContract {

    @TempDir
    Path dir;

    @Override
    protected StoreFixture fixture() {
        return new SqliteFixture(dir.resolve("data"));
    }

    private SqliteWorkflowStore sqlite() {
        return (SqliteWorkflowStore) store;
    }

    @Test
    void createsFolderAndDatabaseWithWalAndFullSync() throws Exception {
        assertTrue(Files.isRegularFile(dir.resolve("data").resolve("hark.db")));
        Object[] pragmas = sqlite().onWriter(c -> {
                    try (Statement s = c.createStatement();
                            ResultSet jm = s.executeQuery("PRAGMA journal_mode")) {
                        jm.next();
                        String mode = jm.getString(1);
                        try (ResultSet sy = s.executeQuery("PRAGMA synchronous")) {
                            sy.next();
                            return new Object[] {mode, sy.getInt(1)};
                        }
                    }
                })
                .join();
        assertEquals("wal", pragmas[0]);
        assertEquals(2, pragmas[1], "synchronous must be FULL (2)");
        assertEquals(
                "hark-store-writer",
                sqlite().onWriter(c -> Thread.currentThread().getName()).join());
        assertTrue(sqlite().onWriter(c -> Thread.currentThread().isDaemon()).join());
    }

    @Test
    void forEachWithTasksStreamsWithoutSorting() throws Exception {
        // A sort would buffer every matching row (DAGs included) before the first callback.
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("data/hark.db"));
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("EXPLAIN QUERY PLAN "
                        + SqliteWorkflowStore.FOR_EACH_WITH_TASKS_SQL.replace("?", "'RUNNING'"))) {
            StringBuilder plan = new StringBuilder();
            while (rs.next()) {
                plan.append(rs.getString("detail")).append('\n');
            }
            assertFalse(plan.toString().contains("TEMP B-TREE"), plan.toString());
            assertTrue(plan.toString().contains("sqlite_autoindex_workflows_1"), plan.toString());
        }
    }

    @Test
    void forEachWithTasksHandles100kWorkflows() {
        int n = 100_000;
        // All 2n writes are queued at once: more than the default queue takes.
        store.close();
        store = SqliteWorkflowStore.open(dir.resolve("data"), SqliteWorkflowStore.DEFAULT_MAX_BATCH, 2 * n);
        List<CompletableFuture<Void>> writes = new ArrayList<>(2 * n);
        for (int i = 0; i < n; i++) {
            String id = "w" + i;
            writes.add(store.write(new CreateWorkflow(id, "{\"steps\":[\"a\",\"b\"]}", i)));
            writes.add(store.write(new PutTask(id, "a", TaskState.DONE, "1")));
        }
        CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).join();
        assertEquals(2L * n, store.stats().writes());
        assertTrue(store.stats().commits() <= 2L * n / 2, "group commit: " + store.stats());

        long[] count = {0, 0};
        long start = System.nanoTime();
        store.forEachWithTasks(WorkflowStatus.RUNNING, sw -> {
            count[0]++;
            count[1] += sw.tasks().size();
        });
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertEquals(n, count[0]);
        assertEquals(n, count[1]);
        System.out.println("forEachWithTasks over " + n + " workflows: " + millis + " ms; " + store.stats());
    }
}
