package dev.hark.runtime.storage.sqlite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hark.runtime.storage.StorageException;
import dev.hark.runtime.storage.StoreWrite.CreateWorkflow;
import dev.hark.runtime.storage.StoreWrite.DeleteWorkflow;
import dev.hark.runtime.storage.StoreWrite.MarkCommitted;
import dev.hark.runtime.storage.StoreWrite.PutTask;
import dev.hark.runtime.storage.StoreWrite.SetStatus;
import dev.hark.runtime.storage.TaskRecord;
import dev.hark.runtime.storage.TaskState;
import dev.hark.runtime.storage.WorkflowRecord;
import dev.hark.runtime.storage.WorkflowSummary;
import dev.hark.workflow.WorkflowExistsException;
import dev.hark.workflow.WorkflowStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteWorkflowStoreTest {

    @TempDir
    Path dir;

    SqliteWorkflowStore store;

    @BeforeEach
    void open() {
        store = SqliteWorkflowStore.open(dir.resolve("data"));
    }

    @AfterEach
    void close() {
        store.close();
    }

    private static Throwable failureOf(CompletableFuture<?> f) {
        CompletionException e = assertThrows(CompletionException.class, f::join);
        return e.getCause();
    }

    @Test
    void createsFolderAndDatabaseWithWalAndFullSync() throws Exception {
        assertTrue(Files.isRegularFile(dir.resolve("data").resolve("hark.db")));
        Object[] pragmas = store.onWriter(c -> {
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
                store.onWriter(c -> Thread.currentThread().getName()).join());
        assertTrue(store.onWriter(c -> Thread.currentThread().isDaemon()).join());
    }

    @Test
    void roundTripsEveryField() {
        store.write(new CreateWorkflow("wf-1", "{\"dag\":1}", 1_000L)).join();
        WorkflowRecord created = store.workflow("wf-1").orElseThrow();
        assertEquals(
                new WorkflowRecord("wf-1", WorkflowStatus.RUNNING, "{\"dag\":1}", null, null, 1_000L, 1_000L), created);

        store.write(new PutTask("wf-1", "a", TaskState.DONE, "{\"v\":\"a\"}")).join();
        store.write(new PutTask("wf-1", "ev", TaskState.CHECKPOINTED, "{\"event\":7}"))
                .join();
        store.write(new PutTask("wf-1", "nil", TaskState.DONE, null)).join();
        assertEquals(
                List.of(
                        new TaskRecord("a", TaskState.DONE, "{\"v\":\"a\"}"),
                        new TaskRecord("ev", TaskState.CHECKPOINTED, "{\"event\":7}"),
                        new TaskRecord("nil", TaskState.DONE, null)),
                sorted(store.tasks("wf-1")));

        // PutTask is an upsert.
        store.write(new PutTask("wf-1", "a", TaskState.DONE, "{\"v\":\"a2\"}")).join();
        // MarkCommitted changes the state only, keeping the output.
        store.write(new MarkCommitted("wf-1", "ev")).join();
        assertEquals(
                List.of(
                        new TaskRecord("a", TaskState.DONE, "{\"v\":\"a2\"}"),
                        new TaskRecord("ev", TaskState.COMMITTED, "{\"event\":7}"),
                        new TaskRecord("nil", TaskState.DONE, null)),
                sorted(store.tasks("wf-1")));

        long before = System.currentTimeMillis();
        store.write(new SetStatus("wf-1", WorkflowStatus.SUCCESSFUL, "{\"out\":42}", null))
                .join();
        WorkflowRecord done = store.workflow("wf-1").orElseThrow();
        assertEquals(WorkflowStatus.SUCCESSFUL, done.status());
        assertEquals("{\"out\":42}", done.outputJson());
        assertNull(done.error());
        assertEquals("{\"dag\":1}", done.dagJson());
        assertEquals(1_000L, done.createdAtMillis());
        assertTrue(done.updatedAtMillis() >= before, "updated_at must move on");

        store.write(new SetStatus("wf-1", WorkflowStatus.FAILED, null, "boom")).join();
        WorkflowRecord failed = store.workflow("wf-1").orElseThrow();
        assertEquals(WorkflowStatus.FAILED, failed.status());
        assertNull(failed.outputJson(), "SetStatus replaces the output");
        assertEquals("boom", failed.error());

        assertEquals(Optional.empty(), store.workflow("nope"));
        assertEquals(List.of(), store.tasks("nope"));
    }

    private static List<TaskRecord> sorted(List<TaskRecord> tasks) {
        List<TaskRecord> copy = new ArrayList<>(tasks);
        copy.sort(Comparator.comparing(TaskRecord::taskId));
        return copy;
    }

    @Test
    void listsByStatusOrderedById() {
        for (String id : List.of("c", "a", "d", "b")) {
            store.write(new CreateWorkflow(id, "{}", 1)).join();
        }
        store.write(new SetStatus("d", WorkflowStatus.FAILED, null, "x")).join();
        store.write(new SetStatus("a", WorkflowStatus.FAILED, null, "x")).join();

        assertEquals(
                List.of(
                        new WorkflowSummary("a", WorkflowStatus.FAILED),
                        new WorkflowSummary("b", WorkflowStatus.RUNNING),
                        new WorkflowSummary("c", WorkflowStatus.RUNNING),
                        new WorkflowSummary("d", WorkflowStatus.FAILED)),
                store.list(Optional.empty()));
        assertEquals(
                List.of(
                        new WorkflowSummary("a", WorkflowStatus.FAILED),
                        new WorkflowSummary("d", WorkflowStatus.FAILED)),
                store.list(Optional.of(WorkflowStatus.FAILED)));
        assertEquals(List.of(), store.list(Optional.of(WorkflowStatus.CANCELED)));
    }

    @Test
    void deleteRemovesWorkflowAndItsTasksOnly() {
        store.write(new CreateWorkflow("gone", "{}", 1)).join();
        store.write(new CreateWorkflow("kept", "{}", 1)).join();
        store.write(new PutTask("gone", "t1", TaskState.DONE, "1")).join();
        store.write(new PutTask("gone", "t2", TaskState.CHECKPOINTED, "2")).join();
        store.write(new PutTask("kept", "t1", TaskState.DONE, "k")).join();

        store.write(new DeleteWorkflow("gone")).join();

        assertEquals(Optional.empty(), store.workflow("gone"));
        assertEquals(List.of(), store.tasks("gone"));
        assertEquals(List.of(new TaskRecord("t1", TaskState.DONE, "k")), store.tasks("kept"));
        // The id is free again.
        store.write(new CreateWorkflow("gone", "{\"again\":true}", 2)).join();
        assertEquals(List.of(), store.tasks("gone"), "no task of the old workflow may resurface");
    }

    @Test
    void duplicateCreateFailsOnlyItsOwnWrite() throws Exception {
        store.write(new CreateWorkflow("a", "{\"orig\":1}", 1)).join();
        long commitsBefore = store.stats().commits();

        List<CompletableFuture<Void>> ok = new ArrayList<>();
        CompletableFuture<Void> dupOfStored;
        CompletableFuture<Void> dupInBatch;
        try (WriterPause pause = new WriterPause(store)) {
            ok.add(store.write(new CreateWorkflow("b", "{\"b\":1}", 2)));
            dupOfStored = store.write(new CreateWorkflow("a", "{\"dup\":1}", 3));
            ok.add(store.write(new PutTask("b", "t", TaskState.DONE, "out")));
            ok.add(store.write(new CreateWorkflow("c", "{}", 4)));
            dupInBatch = store.write(new CreateWorkflow("b", "{\"b\":2}", 5));
            ok.add(store.write(new SetStatus("a", WorkflowStatus.FAILED, null, "err")));
            for (int i = 0; i < 50; i++) {
                ok.add(store.write(new CreateWorkflow("x" + i, "{}", 6)));
            }
        }

        for (CompletableFuture<Void> f : ok) {
            f.join();
        }
        WorkflowExistsException e1 = assertInstanceOf(WorkflowExistsException.class, failureOf(dupOfStored));
        assertTrue(e1.getMessage().contains("'a'"));
        assertInstanceOf(WorkflowExistsException.class, failureOf(dupInBatch));

        assertEquals(1, store.stats().commits() - commitsBefore, "the writes were one batch");
        assertEquals("{\"orig\":1}", store.workflow("a").orElseThrow().dagJson());
        assertEquals(WorkflowStatus.FAILED, store.workflow("a").orElseThrow().status());
        assertEquals("{\"b\":1}", store.workflow("b").orElseThrow().dagJson());
        assertEquals(List.of(new TaskRecord("t", TaskState.DONE, "out")), store.tasks("b"));
        assertEquals(3 + 50, store.list(Optional.empty()).size());
    }

    @Test
    void survivesReopen() {
        store.write(new CreateWorkflow("w", "{\"d\":1}", 5)).join();
        store.write(new PutTask("w", "t", TaskState.CHECKPOINTED, "{\"e\":1}")).join();
        store.write(new SetStatus("w", WorkflowStatus.FAILED, null, "bad")).join();
        // Queued but not joined: close must flush it.
        CompletableFuture<Void> last = store.write(new PutTask("w", "u", TaskState.DONE, "u"));
        store.close();
        assertTrue(last.isDone());
        last.join();

        store = SqliteWorkflowStore.open(dir.resolve("data"));
        WorkflowRecord w = store.workflow("w").orElseThrow();
        assertEquals(WorkflowStatus.FAILED, w.status());
        assertEquals("{\"d\":1}", w.dagJson());
        assertEquals("bad", w.error());
        assertEquals(5, w.createdAtMillis());
        assertEquals(
                List.of(
                        new TaskRecord("t", TaskState.CHECKPOINTED, "{\"e\":1}"),
                        new TaskRecord("u", TaskState.DONE, "u")),
                sorted(store.tasks("w")));
    }

    @Test
    void markRunningResumableFlipsRunningOnly() {
        Map<String, WorkflowStatus> statuses = new HashMap<>();
        int i = 0;
        for (WorkflowStatus s : WorkflowStatus.values()) {
            for (int k = 0; k < 3; k++) {
                String id = s + "-" + k;
                store.write(new CreateWorkflow(id, "{}", i++)).join();
                if (s != WorkflowStatus.RUNNING) {
                    store.write(new SetStatus(id, s, null, null)).join();
                }
                statuses.put(id, s);
            }
        }
        assertEquals(3, store.markRunningResumable());
        for (Map.Entry<String, WorkflowStatus> e : statuses.entrySet()) {
            WorkflowStatus expected = e.getValue() == WorkflowStatus.RUNNING ? WorkflowStatus.RESUMABLE : e.getValue();
            assertEquals(expected, store.workflow(e.getKey()).orElseThrow().status(), e.getKey());
        }
        assertEquals(0, store.markRunningResumable());
        assertEquals(6, store.list(Optional.of(WorkflowStatus.RESUMABLE)).size());
    }

    @Test
    void forEachWithTasksYieldsEachWorkflowOnceWithExactlyItsTasks() {
        int n = 2_000;
        Map<String, List<TaskRecord>> expected = new HashMap<>();
        List<CompletableFuture<Void>> writes = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String id = String.format("wf-%05d", i);
            writes.add(store.write(new CreateWorkflow(id, "{\"i\":" + i + "}", i)));
            List<TaskRecord> tasks = new ArrayList<>();
            for (int t = 0; t < i % 4; t++) {
                TaskRecord r =
                        new TaskRecord("t" + t, t % 2 == 0 ? TaskState.DONE : TaskState.CHECKPOINTED, id + "/" + t);
                tasks.add(r);
                writes.add(store.write(new PutTask(id, r.taskId(), r.state(), r.outputJson())));
            }
            if (i % 5 == 0) {
                writes.add(store.write(new SetStatus(id, WorkflowStatus.FAILED, null, "x")));
            } else {
                expected.put(id, tasks);
            }
        }
        // Tasks of a workflow in another status must not leak into neighbours.
        CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).join();

        Map<String, List<TaskRecord>> seen = new HashMap<>();
        List<String> order = new ArrayList<>();
        store.forEachWithTasks(WorkflowStatus.RUNNING, sw -> {
            assertEquals(WorkflowStatus.RUNNING, sw.workflow().status());
            assertNull(
                    seen.put(sw.workflow().id(), sw.tasks()),
                    "seen twice: " + sw.workflow().id());
            order.add(sw.workflow().id());
            int i = Integer.parseInt(sw.workflow().id().substring(3));
            assertEquals("{\"i\":" + i + "}", sw.workflow().dagJson());
        });
        assertEquals(expected.keySet(), seen.keySet());
        for (String id : expected.keySet()) {
            assertEquals(expected.get(id), sorted(seen.get(id)), id);
        }
        List<String> sortedOrder = new ArrayList<>(order);
        sortedOrder.sort(null);
        assertEquals(sortedOrder, order, "ordered by id");

        List<String> none = new ArrayList<>();
        store.forEachWithTasks(
                WorkflowStatus.CANCELED, sw -> none.add(sw.workflow().id()));
        assertEquals(List.of(), none);
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

    @Test
    void writesAfterCloseFailClearly() {
        store.write(new CreateWorkflow("w", "{}", 1)).join();
        store.close();
        store.close(); // idempotent

        Throwable t = failureOf(store.write(new CreateWorkflow("v", "{}", 1)));
        assertInstanceOf(StorageException.class, t);
        assertTrue(t.getMessage().contains("store is closed"), t.getMessage());

        StorageException read = assertThrows(StorageException.class, () -> store.workflow("w"));
        assertTrue(read.getMessage().contains("store is closed"), read.getMessage());
        assertThrows(StorageException.class, () -> store.markRunningResumable());
    }

    @Test
    void closeFromAWriteCallbackDoesNotDeadlock() {
        CompletableFuture<Void> closedInCallback =
                store.write(new CreateWorkflow("w", "{}", 1)).thenRun(store::close);
        closedInCallback.join();
        store.close(); // waits for the writer to finish
        Throwable t = failureOf(store.write(new CreateWorkflow("v", "{}", 1)));
        assertInstanceOf(StorageException.class, t);
    }
}
