package dev.hark.runtime.storage.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import dev.hark.runtime.storage.WorkflowStore;
import dev.hark.runtime.storage.WorkflowSummary;
import dev.hark.workflow.WorkflowExistsException;
import dev.hark.workflow.WorkflowStatus;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The store's records: every field round-trips, lists are ordered, writes fail alone, data survive a reopen. */
public abstract class WorkflowStoreContract extends StoreContract {

    protected WorkflowStore store;

    @BeforeEach
    void openStore() {
        store = open();
    }

    @AfterEach
    void closeStore() {
        store.close();
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

    @Test
    void roundTripsTextBeyondAscii() {
        String dag = "{\"name\":\"Grüße, 世界 \uD83D\uDE00\"}";
        store.write(new CreateWorkflow("wf-ü", dag, 1)).join();
        store.write(new PutTask("wf-ü", "t-é", TaskState.DONE, "\"ça va\"")).join();
        assertEquals(dag, store.workflow("wf-ü").orElseThrow().dagJson());
        assertEquals(List.of(new TaskRecord("t-é", TaskState.DONE, "\"ça va\"")), store.tasks("wf-ü"));
    }

    @Test
    void listsByStatusOrderedById() {
        for (String id : List.of("c", "a", "d", "b", "B", "a-1", "a_2")) {
            store.write(new CreateWorkflow(id, "{}", 1)).join();
        }
        store.write(new SetStatus("d", WorkflowStatus.FAILED, null, "x")).join();
        store.write(new SetStatus("a", WorkflowStatus.FAILED, null, "x")).join();

        // Ordered by the ids' characters, as Java compares them, whatever the database's locale.
        assertEquals(
                List.of(
                        new WorkflowSummary("B", WorkflowStatus.RUNNING),
                        new WorkflowSummary("a", WorkflowStatus.FAILED),
                        new WorkflowSummary("a-1", WorkflowStatus.RUNNING),
                        new WorkflowSummary("a_2", WorkflowStatus.RUNNING),
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
        assertEquals(2, store.count(WorkflowStatus.FAILED));
        assertEquals(5, store.count(WorkflowStatus.RUNNING));
        assertEquals(0, store.count(WorkflowStatus.CANCELED));
    }

    @Test
    void listPagesByIdWithAndWithoutAStatus() {
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

    private static List<String> ids(List<WorkflowSummary> page) {
        return page.stream().map(WorkflowSummary::id).toList();
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
        CompletableFuture<Void> dupRightAfter;
        try (AutoCloseable pause = pauseWriter(store)) {
            ok.add(store.write(new CreateWorkflow("b", "{\"b\":1}", 2)));
            dupOfStored = store.write(new CreateWorkflow("a", "{\"dup\":1}", 3));
            ok.add(store.write(new PutTask("b", "t", TaskState.DONE, "out")));
            ok.add(store.write(new CreateWorkflow("c", "{}", 4)));
            dupRightAfter = store.write(new CreateWorkflow("c", "{\"c\":2}", 4)); // same run of creates
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
        assertInstanceOf(WorkflowExistsException.class, failureOf(dupRightAfter));
        assertEquals("{}", store.workflow("c").orElseThrow().dagJson(), "the first create of c stands");

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

        store = open();
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
        if (store.nodeLeases().isPresent()) {
            // A store several nodes share: a node that opens it owns nothing yet, so it marks
            // nothing; the workflows of gone nodes are taken with NodeLeases.takeOver().
            assertEquals(0, store.markRunningResumable());
            for (Map.Entry<String, WorkflowStatus> e : statuses.entrySet()) {
                assertEquals(
                        e.getValue(), store.workflow(e.getKey()).orElseThrow().status(), e.getKey());
            }
            return;
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
    void forEachWithTasksLetsTheActionReadAndWriteTheStore() {
        for (int i = 0; i < 20; i++) {
            store.write(new CreateWorkflow("w" + i, "{}", i)).join();
            store.write(new PutTask("w" + i, "t", TaskState.DONE, "1")).join();
        }
        List<String> seen = new ArrayList<>();
        store.forEachWithTasks(WorkflowStatus.RUNNING, sw -> {
            String id = sw.workflow().id();
            assertEquals(1, store.tasks(id).size());
            store.write(new SetStatus(id, WorkflowStatus.SUCCESSFUL, "1", null)).join();
            seen.add(id);
        });
        assertEquals(20, seen.size());
        assertEquals(20, store.count(WorkflowStatus.SUCCESSFUL));
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
