package dev.hark.runtime.storage.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hark.runtime.storage.EarlyEventOutcome;
import dev.hark.runtime.storage.EarlyEventRecord;
import dev.hark.runtime.storage.NodeLeases;
import dev.hark.runtime.storage.NodeLeases.FencedException;
import dev.hark.runtime.storage.NodeLeases.NodeRef;
import dev.hark.runtime.storage.StoreWrite.CreateWorkflow;
import dev.hark.runtime.storage.StoreWrite.PutTask;
import dev.hark.runtime.storage.StoreWrite.SetStatus;
import dev.hark.runtime.storage.StoredWorkflow;
import dev.hark.runtime.storage.TaskRecord;
import dev.hark.runtime.storage.TaskState;
import dev.hark.workflow.WorkflowStatus;
import java.net.URI;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Several nodes on one database: each opening of the store is a node with a lease; a killed node
 * (its session ends) or a paused one (its lease expires) is fenced and its running workflows are
 * taken over by exactly one other node; a fenced node writes nothing more. Nodes are store
 * instances in this JVM; test hooks stop a node's renewal (a paused process) or end its session
 * without a word (a killed one).
 */
class PostgresNodesTest {

    /** Long enough never to expire during a test: what is taken then is taken for another reason. */
    private static final Duration LONG_LEASE = Duration.ofSeconds(60);

    private PostgresSettings db;
    private final List<PostgresWorkflowStore> opened = new ArrayList<>();

    @BeforeEach
    void freshDatabase() {
        db = TestPostgres.freshDatabase();
    }

    @AfterEach
    void closeAll() {
        opened.forEach(PostgresWorkflowStore::close);
    }

    private PostgresWorkflowStore node(String name, Duration lease) {
        PostgresWorkflowStore store = PostgresWorkflowStore.open(db, 1_000, 10_000, new NodeSettings(name, lease));
        opened.add(store);
        return store;
    }

    private static NodeLeases leases(PostgresWorkflowStore store) {
        return store.nodeLeases().orElseThrow();
    }

    private static long id(PostgresWorkflowStore store) {
        return leases(store).self().id();
    }

    private static void create(PostgresWorkflowStore store, String... ids) {
        List<CompletableFuture<Void>> writes = new ArrayList<>();
        for (String id : ids) {
            writes.add(store.write(new CreateWorkflow(id, "{}", 1)));
        }
        CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).join();
    }

    private String database() {
        return db.jdbcUrl().substring(db.jdbcUrl().lastIndexOf('/') + 1);
    }

    private List<List<String>> query(String sql) throws SQLException {
        try (Connection c = TestPostgres.server().connect(database());
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            List<List<String>> rows = new ArrayList<>();
            int columns = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                List<String> row = new ArrayList<>();
                for (int i = 1; i <= columns; i++) {
                    row.add(rs.getString(i));
                }
                rows.add(row);
            }
            return rows;
        }
    }

    private void execute(String sql) throws SQLException {
        try (Connection c = TestPostgres.server().connect(database());
                Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    /** @return each workflow's status and owner, as "STATUS owner" */
    private Map<String, String> statusAndOwner() throws SQLException {
        Map<String, String> rows = new HashMap<>();
        for (List<String> row : query("SELECT id, status, owner FROM workflows")) {
            rows.put(row.get(0), row.get(1) + " " + row.get(2));
        }
        return rows;
    }

    private boolean leaseValid(PostgresWorkflowStore store) throws SQLException {
        return query("SELECT expires_at > clock_timestamp() FROM hark_nodes WHERE id = " + id(store))
                .get(0)
                .get(0)
                .equals("t");
    }

    /** Waits for a condition that the database's or another thread's progress makes true; fails after a minute. */
    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(20);
        }
    }

    private static Throwable failureOf(CompletableFuture<?> future) {
        CompletionException e = assertThrows(CompletionException.class, future::join);
        return e.getCause();
    }

    // ---------------------------------------------------------------- tests

    @Test
    void twoNodesOpenAtOnceAndEachOwnsWhatItCreatesOrResumes() throws Exception {
        PostgresWorkflowStore a = node("node-a", LONG_LEASE);
        PostgresWorkflowStore b = node("node-b", LONG_LEASE);
        URI aAddress = URI.create("http://10.0.0.1:7070");
        leases(a).join(Optional.of(aAddress), () -> {});
        create(a, "w1");
        assertEquals(
                EarlyEventOutcome.CREATED,
                a.createWithEarlyEvent(
                                new CreateWorkflow("w2", "{}", 1),
                                new EarlyEventRecord("w2", "k", "e1", "{}", 1, Long.MAX_VALUE))
                        .join());
        create(b, "w3");

        assertEquals(
                Map.of("w1", "RUNNING " + id(a), "w2", "RUNNING " + id(a), "w3", "RUNNING " + id(b)), statusAndOwner());
        assertEquals(
                Optional.of(new NodeRef(id(a), "node-a", Optional.of(aAddress), true)),
                leases(b).ownerElsewhere("w1"));
        assertEquals(
                Optional.of(new NodeRef(id(a), "node-a", Optional.of(aAddress), true)),
                leases(b).ownerElsewhere("w2"));
        assertEquals(Optional.empty(), leases(a).ownerElsewhere("w1"), "a owns it: not elsewhere");
        assertEquals(
                Optional.of(new NodeRef(id(b), "node-b", Optional.empty(), true)),
                leases(a).ownerElsewhere("w3"));
        assertEquals(Optional.empty(), leases(a).ownerElsewhere("nope"));

        // A resume (back to RUNNING) by b makes it b's; a finished workflow is nobody's to reach.
        b.write(new SetStatus("w1", WorkflowStatus.RESUMABLE, null, null)).join();
        assertEquals(
                Optional.of(new NodeRef(id(a), "node-a", Optional.of(aAddress), true)),
                leases(b).ownerElsewhere("w1"));
        b.write(new SetStatus("w1", WorkflowStatus.RUNNING, null, null)).join();
        assertEquals("RUNNING " + id(b), statusAndOwner().get("w1"));
        assertEquals(Optional.of(id(b)), leases(a).ownerElsewhere("w1").map(NodeRef::id));
        b.write(new SetStatus("w1", WorkflowStatus.SUCCESSFUL, "1", null)).join();
        assertEquals(Optional.empty(), leases(a).ownerElsewhere("w1"));

        assertEquals(List.of(), leases(a).takeOver(), "both nodes are alive: nothing to take");
        assertEquals(List.of(), leases(b).takeOver());
        assertEquals(0, a.markRunningResumable(), "a node that opens owns nothing: it marks nothing");
        assertThrows(IllegalStateException.class, () -> leases(a).join(Optional.empty(), () -> {}));
    }

    @Test
    void aKilledNodesRunningWorkflowsAreTakenAtOnceByTheOther() throws Exception {
        PostgresWorkflowStore dead = node("dead", LONG_LEASE);
        PostgresWorkflowStore taker = node("taker", LONG_LEASE);
        AtomicInteger lost = new AtomicInteger();
        leases(dead).join(Optional.empty(), lost::incrementAndGet);
        create(dead, "r1", "r2", "r3", "done", "paused");
        dead.write(new SetStatus("done", WorkflowStatus.SUCCESSFUL, "1", null)).join();
        dead.write(new SetStatus("paused", WorkflowStatus.RESUMABLE, null, null))
                .join();
        create(taker, "mine");

        dead.node().dropSession(); // the process is killed: its session ends, nothing renews
        assertEquals(
                Set.of("r1", "r2", "r3", "paused"), Set.copyOf(leases(taker).takeOver()));

        long t = id(taker);
        assertEquals(
                Map.of(
                        "r1", "RESUMABLE " + t,
                        "r2", "RESUMABLE " + t,
                        "r3", "RESUMABLE " + t,
                        "paused", "RESUMABLE " + t,
                        "done", "SUCCESSFUL " + id(dead),
                        "mine", "RUNNING " + t),
                statusAndOwner());
        assertEquals(
                List.of(List.of(String.valueOf(t))),
                query("SELECT fenced_by FROM hark_nodes WHERE id = " + id(dead) + " AND fenced_at IS NOT NULL"));
        assertEquals(List.of(), leases(taker).takeOver(), "each workflow is taken once");

        // Were the killed node still writing (it is not: a test hook), its writes would fail.
        assertInstanceOf(FencedException.class, failureOf(dead.write(new PutTask("r1", "t", TaskState.DONE, "1"))));
        await("the dead node is told once", () -> lost.get() == 1);
        assertEquals(List.of(), taker.tasks("r1"));
    }

    @Test
    void aPausedNodeIsTakenOnlyOnceItsLeaseExpiredAndThenWritesNothing() throws Exception {
        PostgresWorkflowStore paused = node("paused", Duration.ofSeconds(3));
        PostgresWorkflowStore taker = node("taker", LONG_LEASE);
        AtomicInteger lost = new AtomicInteger();
        leases(paused).join(Optional.empty(), lost::incrementAndGet);
        create(paused, "p1", "p2");

        paused.node().stopRenewing(); // paused: no renewal, but its session (its lock) is still there
        List<String> early = leases(taker).takeOver();
        assumeTrue(leaseValid(paused), "the machine took longer than the lease for one takeover");
        assertEquals(List.of(), early, "a paused node's workflows are not taken before its lease expires");
        assertEquals(Map.of("p1", "RUNNING " + id(paused), "p2", "RUNNING " + id(paused)), statusAndOwner());

        await("the paused node's lease expired", () -> {
            try {
                return !leaseValid(paused);
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
        assertEquals(Set.of("p1", "p2"), Set.copyOf(leases(taker).takeOver()));

        // It wakes up and goes on writing: nothing of that reaches the database.
        CompletableFuture<Void> task = paused.write(new PutTask("p1", "t", TaskState.DONE, "\"late\""));
        CompletableFuture<Void> status = paused.write(new SetStatus("p2", WorkflowStatus.SUCCESSFUL, "1", null));
        CompletableFuture<Void> created = paused.write(new CreateWorkflow("p3", "{}", 1));
        for (CompletableFuture<Void> write : List.of(task, status, created)) {
            FencedException e = assertInstanceOf(FencedException.class, failureOf(write));
            assertTrue(e.getMessage().contains("paused"), e.getMessage());
        }
        assertInstanceOf(FencedException.class, failureOf(paused.write(new CreateWorkflow("p4", "{}", 1))));
        assertInstanceOf(FencedException.class, failureOf(paused.sweepClaims(Long.MAX_VALUE)));
        assertThrows(FencedException.class, () -> leases(paused).takeOver());
        await("onLost ran", () -> lost.get() > 0);
        assertEquals(Map.of("p1", "RESUMABLE " + id(taker), "p2", "RESUMABLE " + id(taker)), statusAndOwner());
        assertEquals(List.of(), taker.tasks("p1"));
        assertTrue(!paused.health().writable() && paused.health().reason().contains("lost its lease"));
        assertTrue(!leases(paused).self().leaseValid());
        Thread.sleep(200); // a second call would come from the lease thread, which had time to run it
        assertEquals(1, lost.get(), "onLost runs once");
    }

    @Test
    void aNodeThatFindsItselfFencedWhenRenewingStopsAndSaysSoOnce() throws Exception {
        PostgresWorkflowStore node = node("renewing", Duration.ofSeconds(1));
        AtomicInteger lost = new AtomicInteger();
        CountDownLatch told = new CountDownLatch(1);
        leases(node).join(Optional.empty(), () -> {
            assertEquals(PostgresNode.LEASE_THREAD_NAME, Thread.currentThread().getName());
            lost.incrementAndGet();
            told.countDown();
        });
        create(node, "w");
        execute("UPDATE hark_nodes SET fenced_at = clock_timestamp() WHERE id = " + id(node));

        assertTrue(told.await(1, TimeUnit.MINUTES), "the renewal found the node fenced");
        assertInstanceOf(FencedException.class, failureOf(node.write(new CreateWorkflow("v", "{}", 1))));
        assertInstanceOf(FencedException.class, failureOf(node.write(new CreateWorkflow("u", "{}", 1))));
        assertEquals(List.of(List.of("w")), query("SELECT id FROM workflows"));
        Thread.sleep(200);
        assertEquals(1, lost.get());
    }

    @Test
    void threeNodesTakingOverOneKilledNodeAtOnceTakeEachWorkflowExactlyOnce() throws Exception {
        // The killed node's row lock (the fencing UPDATE) lines the takers up.
        threeNodesTakeOverAtOnce(dead -> dead.node().dropSession());
    }

    @Test
    void threeNodesTakingOverOneFencedNodeAtOnceTakeEachWorkflowExactlyOnce() throws Exception {
        // Fenced already (it closed): the takers' UPDATEs race for the same rows, and the row locks decide.
        threeNodesTakeOverAtOnce(PostgresWorkflowStore::close);
    }

    private void threeNodesTakeOverAtOnce(java.util.function.Consumer<PostgresWorkflowStore> death) throws Exception {
        PostgresWorkflowStore dead = node("dead", LONG_LEASE);
        List<PostgresWorkflowStore> takers =
                List.of(node("t1", LONG_LEASE), node("t2", LONG_LEASE), node("t3", LONG_LEASE));
        String[] ids = new String[300];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = String.format("w%03d", i);
        }
        create(dead, ids);
        death.accept(dead);

        CyclicBarrier start = new CyclicBarrier(takers.size());
        ExecutorService threads = Executors.newFixedThreadPool(takers.size());
        try {
            List<Future<List<String>>> rounds = new ArrayList<>();
            for (PostgresWorkflowStore taker : takers) {
                rounds.add(threads.submit(() -> {
                    start.await();
                    List<String> taken = new ArrayList<>();
                    // A round that gives up on a lock (another taker's) takes nothing: three rounds each.
                    for (int round = 0; round < 3; round++) {
                        taken.addAll(leases(taker).takeOver());
                    }
                    return taken;
                }));
            }
            List<List<String>> takenBy = new ArrayList<>();
            for (Future<List<String>> round : rounds) {
                takenBy.add(round.get(2, TimeUnit.MINUTES));
            }
            Set<String> all = new HashSet<>();
            int sum = 0;
            Map<String, String> owners = statusAndOwner();
            for (int k = 0; k < takers.size(); k++) {
                List<String> taken = takenBy.get(k);
                sum += taken.size();
                all.addAll(taken);
                for (String id : taken) {
                    assertEquals("RESUMABLE " + id(takers.get(k)), owners.get(id), id);
                }
            }
            assertEquals(300, sum, "no workflow taken twice");
            assertEquals(new TreeSet<>(List.of(ids)), new TreeSet<>(all), "every workflow taken");
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void aBatchInFlightWhenItsNodeIsFencedFailsAndLeavesNothing() throws Exception {
        PostgresWorkflowStore a = node("a", LONG_LEASE);
        PostgresWorkflowStore b = node("b", LONG_LEASE);
        create(a, "w0");
        CountDownLatch inTransaction = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        a.writer().beforeFence(() -> {
            inTransaction.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        CompletableFuture<Void> late = a.write(new CreateWorkflow("late", "{}", 1));
        CompletableFuture<Void> task = a.write(new PutTask("w0", "t", TaskState.DONE, "1"));
        try {
            assertTrue(inTransaction.await(1, TimeUnit.MINUTES));
            a.node().dropSession(); // its writes are applied, not committed, when the process is gone
            assertEquals(List.of("w0"), leases(b).takeOver());
        } finally {
            release.countDown();
        }

        assertInstanceOf(FencedException.class, failureOf(late));
        assertInstanceOf(FencedException.class, failureOf(task));
        assertEquals(Map.of("w0", "RESUMABLE " + id(b)), statusAndOwner(), "nothing of the batch committed");
        assertEquals(List.of(), b.tasks("w0"));
    }

    @Test
    void aBatchPastItsFenceCheckCommitsBeforeTheTakerReadsAndTheTakerSeesIt() throws Exception {
        PostgresWorkflowStore a = node("a", LONG_LEASE);
        PostgresWorkflowStore b = node("b", LONG_LEASE);
        create(a, "w0");
        CountDownLatch checked = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        a.writer().afterFence(() -> {
            checked.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        CompletableFuture<Void> late = a.write(new CreateWorkflow("late", "{}", 1));
        CompletableFuture<List<String>> takeOver;
        try {
            assertTrue(checked.await(1, TimeUnit.MINUTES));
            a.node().dropSession();

            takeOver = CompletableFuture.supplyAsync(() -> leases(b).takeOver());
            // The batch holds its node's row FOR SHARE: the taker's fencing UPDATE waits for it.
            await("the taker waits for the batch's lock", () -> {
                try {
                    return !query("SELECT 1 FROM pg_stat_activity WHERE datname = current_database()"
                                    + " AND wait_event_type = 'Lock' AND query LIKE 'UPDATE hark_nodes SET fenced_at%'")
                            .isEmpty();
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            assertTrue(!takeOver.isDone());
        } finally {
            release.countDown();
        }

        late.join(); // committed before the fence
        assertEquals(Set.of("w0", "late"), Set.copyOf(takeOver.get(1, TimeUnit.MINUTES)), "the taker saw it");
        assertEquals(Map.of("w0", "RESUMABLE " + id(b), "late", "RESUMABLE " + id(b)), statusAndOwner());
        a.writer().afterFence(() -> {});
        assertInstanceOf(FencedException.class, failureOf(a.write(new CreateWorkflow("later", "{}", 1))));
    }

    @Test
    void aNodeThatClosesCleanlyIsTakenOverWithoutWaitingForItsLease() throws Exception {
        PostgresWorkflowStore leaving = node("leaving", LONG_LEASE);
        PostgresWorkflowStore staying = node("staying", LONG_LEASE);
        create(leaving, "w1", "w2");
        CompletableFuture<Void> queued = leaving.write(new PutTask("w1", "t", TaskState.DONE, "1"));
        long leavingId = id(leaving);
        leaving.close();
        queued.join(); // flushed before it fenced itself

        assertEquals(
                List.of(List.of(String.valueOf(leavingId))),
                query("SELECT fenced_by FROM hark_nodes WHERE id = " + leavingId + " AND fenced_at IS NOT NULL"));
        assertEquals(Set.of("w1", "w2"), Set.copyOf(leases(staying).takeOver()));
        assertEquals(List.of(new TaskRecord("t", TaskState.DONE, "1")), staying.tasks("w1"));
    }

    @Test
    void aVersion1DatabaseUpgradesAndItsRunningWorkflowsGoToTheFirstTakeover() throws Exception {
        try (Connection c = TestPostgres.server().connect(database());
                Statement s = c.createStatement()) {
            assertEquals(1, PostgresSchema.migrate(c, db.jdbcUrl(), 1));
            s.execute("INSERT INTO workflows (id, status, dag, created_at, updated_at) VALUES"
                    + " ('r1', 'RUNNING', '{}', 1, 1), ('r2', 'RUNNING', '{}', 1, 1),"
                    + " ('m', 'RESUMABLE', '{}', 1, 1), ('s', 'SUCCESSFUL', '{}', 1, 1)");
        }
        PostgresWorkflowStore first = node("first", LONG_LEASE);
        assertEquals(List.of(List.of("1"), List.of("2")), query("SELECT version FROM schema_version ORDER BY 1"));
        assertEquals(0, first.markRunningResumable());
        assertEquals(Optional.empty(), leases(first).ownerElsewhere("r1"), "nobody owns it yet");

        assertEquals(Set.of("r1", "r2", "m"), Set.copyOf(leases(first).takeOver()));
        long f = id(first);
        assertEquals(
                Map.of("r1", "RESUMABLE " + f, "r2", "RESUMABLE " + f, "m", "RESUMABLE " + f, "s", "SUCCESSFUL null"),
                statusAndOwner());
        PostgresWorkflowStore second = node("second", LONG_LEASE);
        assertEquals(List.of(), leases(second).takeOver());
        assertEquals(Optional.of(f), leases(second).ownerElsewhere("r1").map(NodeRef::id));
    }

    @Test
    void aNodeOfAnOlderHarkStillRunningIsRefusedBeforeTheSchemaIsTouched() throws Exception {
        try (Connection old = TestPostgres.server().connect(database());
                Statement s = old.createStatement()) {
            PostgresSchema.migrate(old, db.jdbcUrl(), 1);
            s.execute("SELECT pg_advisory_lock(" + PostgresNode.SINGLE_NODE_LOCK + ")");
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> node("new", LONG_LEASE));
            assertTrue(e.getMessage().contains("older version"), e.getMessage());
            assertEquals(List.of(List.of("1")), query("SELECT version FROM schema_version"));
        }
        node("new", LONG_LEASE); // the old node stopped
    }

    @Test
    void forEachWithTasksOfGivenIdsReadsThoseStoredWithTheirTasksInOneGo() {
        PostgresWorkflowStore node = node("reader", LONG_LEASE);
        create(node, "a", "b", "c");
        node.write(new PutTask("a", "t1", TaskState.DONE, "1")).join();
        node.write(new PutTask("a", "t2", TaskState.CHECKPOINTED, "2")).join();
        node.write(new PutTask("c", "t1", TaskState.DONE, "3")).join();

        List<StoredWorkflow> seen = new ArrayList<>();
        node.forEachWithTasks(List.of("c", "missing", "a"), seen::add);
        assertEquals(
                List.of("a", "c"), seen.stream().map(w -> w.workflow().id()).toList());
        assertEquals(
                Set.of(new TaskRecord("t1", TaskState.DONE, "1"), new TaskRecord("t2", TaskState.CHECKPOINTED, "2")),
                Set.copyOf(seen.get(0).tasks()));
        assertEquals(
                List.of(new TaskRecord("t1", TaskState.DONE, "3")), seen.get(1).tasks());
        List<StoredWorkflow> none = new ArrayList<>();
        node.forEachWithTasks(List.of(), none::add);
        assertEquals(List.of(), none);
    }

    @Test
    void nodeSettingsRefuseWhatCannotWork() {
        assertThrows(IllegalArgumentException.class, () -> new NodeSettings(" ", LONG_LEASE));
        assertThrows(IllegalArgumentException.class, () -> new NodeSettings("x".repeat(201), LONG_LEASE));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> new NodeSettings("n", Duration.ofMillis(100)));
        assertTrue(e.getMessage().contains("at least 500 ms"), e.getMessage());
        NodeSettings defaults = NodeSettings.defaults();
        assertTrue(defaults.name().endsWith("-" + ProcessHandle.current().pid()), defaults.name());
        assertEquals(Duration.ofSeconds(10), defaults.lease());
    }
}
