package dev.hark.runtime.storage.sqlite;

import dev.hark.runtime.concurrent.DaemonThreads;
import dev.hark.runtime.storage.BatchObserver;
import dev.hark.runtime.storage.ClaimRecord;
import dev.hark.runtime.storage.EventClaim;
import dev.hark.runtime.storage.EventClaimedException;
import dev.hark.runtime.storage.RaceDecidedException;
import dev.hark.runtime.storage.StorageException;
import dev.hark.runtime.storage.StoreBusyException;
import dev.hark.runtime.storage.StoreHealth;
import dev.hark.runtime.storage.StoreStats;
import dev.hark.runtime.storage.StoreWrite;
import dev.hark.runtime.storage.TaskState;
import dev.hark.workflow.UnknownWorkflowException;
import dev.hark.workflow.WorkflowExistsException;
import dev.hark.workflow.WorkflowStatus;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single writer: a thread that owns the write connection, takes everything queued, applies it
 * in one transaction and commits once (group commit). A second thread then completes the batch's
 * futures, in queue order, while the writer goes on with the next batch: completing a future runs
 * whatever depends on it, and waking other threads from the writer would put that on the one
 * thread every durable write waits for.
 */
final class GroupCommitWriter {

    private static final Logger LOG = LoggerFactory.getLogger(GroupCommitWriter.class);

    static final String THREAD_NAME = "hark-store-writer";
    static final String COMPLETER_THREAD_NAME = "hark-store-done";

    /** Work for the writer thread, on the write connection. */
    @FunctionalInterface
    interface WriterTask<T> {
        T run(Connection connection) throws SQLException;
    }

    /** Opens a configured write connection. */
    @FunctionalInterface
    interface Connector {
        Connection connect() throws SQLException;
    }

    /**
     * A queued item: a store write or an internal task, with the future to complete. Writes, and
     * tasks {@code inTransaction}, join the batch's transaction; other tasks run alone between
     * batches, outside any transaction.
     */
    private record Op(StoreWrite write, WriterTask<?> task, boolean inTransaction, CompletableFuture<?> future) {}

    /** Enqueued once by {@link #close()}; nothing can be enqueued after it. */
    private static final Op STOP = new Op(null, null, false, null);

    private final Path dbFile;
    private final Connector connector;
    private final int maxBatch;
    private final LinkedBlockingQueue<Op> queue = new LinkedBlockingQueue<>();
    /**
     * Once this many ops wait in {@link #queue}, more that admit work are refused with
     * {@link StoreBusyException}; writes that finish admitted work are queued regardless
     * ({@link StoreWrite#admitsWork()}).
     */
    private final int queueCapacity;

    private final AtomicInteger queued = new AtomicInteger();
    /** Why the last transaction failed on the medium, or null once one committed (or none failed). */
    private volatile String mediumFailure;
    /** Writers enqueue under the read lock; close flips {@link #accepting} under the write lock. */
    private final ReadWriteLock gate = new ReentrantReadWriteLock();

    private boolean accepting = true;
    private final Thread thread;
    private final ExecutorService completer;
    private volatile Thread completerThread;
    private final AtomicLong writes = new AtomicLong();
    private final AtomicLong commits = new AtomicLong();
    private volatile BatchObserver batchObserver = BatchObserver.NONE;

    /**
     * Whether the database may hold buffered early events: false while it holds none and none was
     * buffered since it opened, so that an inbox claim then costs no extra statement.
     */
    private volatile boolean earlyEventsPossible = true;

    // Owned by the writer thread.
    private Connection connection;
    private Statements statements;

    GroupCommitWriter(Path dbFile, Connection connection, Connector connector, int maxBatch, int queueCapacity) {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be positive: " + maxBatch);
        }
        if (queueCapacity < 1) {
            throw new IllegalArgumentException("queueCapacity must be positive: " + queueCapacity);
        }
        this.queueCapacity = queueCapacity;
        this.dbFile = dbFile;
        this.connection = connection;
        this.connector = connector;
        this.maxBatch = maxBatch;
        DaemonThreads completing = DaemonThreads.named(COMPLETER_THREAD_NAME);
        this.completer =
                Executors.newSingleThreadExecutor(runnable -> completerThread = completing.newThread(runnable));
        this.thread = new Thread(this::loop, THREAD_NAME);
        thread.setDaemon(true);
        thread.start();
    }

    void observeBatches(BatchObserver observer) {
        this.batchObserver = observer;
    }

    /** Set before any early event is buffered (and at open, from the table). */
    void earlyEventsPossible(boolean possible) {
        this.earlyEventsPossible = possible;
    }

    CompletableFuture<Void> submit(StoreWrite write) {
        CompletableFuture<Void> future = new CompletableFuture<>();
        enqueue(new Op(write, null, true, future));
        return future;
    }

    /**
     * @param inTransaction whether the task joins the next batch's transaction (and fails with it),
     *     or runs alone between batches, outside any transaction
     */
    <T> CompletableFuture<T> submit(WriterTask<T> task, boolean inTransaction) {
        CompletableFuture<T> future = new CompletableFuture<>();
        enqueue(new Op(null, task, inTransaction, future));
        return future;
    }

    private void enqueue(Op op) {
        boolean admission = op.write() == null || op.write().admitsWork();
        if (queued.incrementAndGet() > queueCapacity && admission) {
            queued.decrementAndGet();
            // Push back instead of growing without bound: the caller retries later.
            op.future()
                    .completeExceptionally(new StoreBusyException("The store's write queue is full (" + queueCapacity
                            + " writes waiting for " + dbFile + "); try again shortly"));
            return;
        }
        gate.readLock().lock();
        try {
            if (accepting) {
                queue.add(op);
                return;
            }
        } finally {
            gate.readLock().unlock();
        }
        queued.decrementAndGet();
        op.future().completeExceptionally(closed());
    }

    /** @return whether the last transaction committed, or why it failed on the medium */
    StoreHealth health() {
        String failure = mediumFailure;
        return failure == null ? StoreHealth.WRITABLE : StoreHealth.failing(failure);
    }

    StorageException closed() {
        return new StorageException("The store is closed (" + dbFile + "); it accepts no more writes");
    }

    StoreStats stats() {
        return new StoreStats(writes.get(), commits.get());
    }

    /**
     * Stops accepting writes, lets the writer flush what is queued, and waits for it to exit
     * (unless called from the writer thread itself, say from a future's callback). Idempotent.
     */
    void close() {
        gate.writeLock().lock();
        try {
            if (accepting) {
                accepting = false;
                queue.add(STOP);
            }
        } finally {
            gate.writeLock().unlock();
        }
        if (Thread.currentThread() == thread) {
            return;
        }
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        completer.shutdown(); // after the writer's last batch: its completions are queued already
        if (Thread.currentThread() != completerThread) {
            while (!completer.isTerminated()) {
                try {
                    completer.awaitTermination(1, TimeUnit.MINUTES);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void loop() {
        List<Op> batch = new ArrayList<>();
        boolean stop = false;
        while (!stop) {
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                continue; // only close() stops the writer
            }
            queue.drainTo(batch, maxBatch - 1);
            if (batch.get(batch.size() - 1) == STOP) { // STOP is the last item ever queued
                batch.remove(batch.size() - 1);
                stop = true;
            }
            queued.addAndGet(-batch.size()); // STOP is not counted
            List<Op> transaction = new ArrayList<>(batch.size());
            for (Op op : batch) {
                if (op.inTransaction()) {
                    transaction.add(op);
                } else {
                    runTransaction(transaction);
                    transaction.clear();
                    runAlone(op);
                }
            }
            runTransaction(transaction);
            batch.clear();
        }
        discardConnection();
    }

    private void runTransaction(List<Op> ops) {
        if (ops.isEmpty()) {
            return;
        }
        try {
            runBatch(ops);
        } catch (Throwable t) { // keep the writer alive whatever happens
            LOG.error("Unexpected failure in the store writer", t);
            StorageException failure = new StorageException("Unexpected failure writing to " + dbFile + ": " + t, t);
            mediumFailure = failure.getMessage();
            failAll(ops, failure);
            discardConnection();
        }
    }

    private void runAlone(Op op) {
        try {
            if (connection == null) {
                connection = connector.connect();
            }
            completeLater(op, op.task().run(connection), null);
        } catch (SQLException e) {
            completeLater(op, null, SqliteErrors.storageException("Could not run a task on", dbFile, e));
            statements = closed(statements);
        } catch (Throwable t) {
            completeLater(op, null, t);
        }
    }

    private static Statements closed(Statements statements) {
        if (statements != null) {
            statements.close();
        }
        return null;
    }

    private void runBatch(List<Op> batch) {
        int n = batch.size();
        Object[] results = new Object[n];
        Throwable[] failures = new Throwable[n];
        int applied = 0;
        long commitNanos;
        try {
            if (connection == null) {
                connection = connector.connect(); // after a failure that broke the connection
            }
            if (statements == null) {
                statements = new Statements(connection);
            }
            statements.begin.execute();
            for (int i = 0; i < n; i++) {
                Op op = batch.get(i);
                try {
                    if (op.write() != null) {
                        apply(op.write());
                        applied++;
                    } else {
                        results[i] = op.task().run(connection);
                    }
                } catch (WorkflowExistsException e) {
                    failures[i] = e;
                } catch (SQLException e) {
                    if (!SqliteErrors.isStatementLocal(e)) {
                        throw e; // the medium failed: the whole batch goes
                    }
                    // SQLite rolled back just this statement; every write is one statement, or
                    // (DeleteWorkflow) statements that cannot raise statement-local errors.
                    failures[i] =
                            SqliteErrors.storageException("Could not write " + describe(op.write()) + " to", dbFile, e);
                    // sqlite-jdbc finalizes a statement that fails with most codes: prepare afresh.
                    statements.close();
                    statements = new Statements(connection);
                } catch (RuntimeException e) {
                    failures[i] = e;
                }
            }
            long commitStart = System.nanoTime();
            statements.commit.execute(); // WAL + synchronous=FULL: this is the fsync
            commitNanos = System.nanoTime() - commitStart;
            mediumFailure = null;
        } catch (SQLException e) {
            rollback();
            StorageException failure = SqliteErrors.storageException(
                    "Could not save " + n + (n == 1 ? " write" : " writes") + " to", dbFile, e);
            mediumFailure = failure.getMessage();
            LOG.warn("{}; nothing of the batch was applied", failure.getMessage());
            failAll(batch, failure);
            return;
        }
        writes.addAndGet(applied);
        if (applied > 0) {
            commits.incrementAndGet();
            try {
                batchObserver.committed(applied, commitNanos);
            } catch (RuntimeException e) { // a meter must never stop the writer
                LOG.warn("A batch observer threw; ignored", e);
            }
        }
        completeLater(batch, results, failures);
    }

    private void failAll(List<Op> ops, Throwable failure) {
        Throwable[] failures = new Throwable[ops.size()];
        Arrays.fill(failures, failure);
        completeLater(ops, new Object[ops.size()], failures);
    }

    private void completeLater(Op op, Object result, Throwable failure) {
        completeLater(List.of(op), new Object[] {result}, new Throwable[] {failure});
    }

    /** Hands the futures of {@code ops} (a list the writer reuses) to the completer, in order. */
    private void completeLater(List<Op> ops, Object[] results, Throwable[] failures) {
        CompletableFuture<?>[] futures = new CompletableFuture<?>[ops.size()];
        for (int i = 0; i < futures.length; i++) {
            futures[i] = ops.get(i).future();
        }
        completer.execute(() -> {
            for (int i = 0; i < futures.length; i++) {
                complete(futures[i], results[i], failures[i]);
            }
        });
    }

    @SuppressWarnings("unchecked")
    private static void complete(CompletableFuture<?> future, Object result, Throwable failure) {
        if (failure != null) {
            future.completeExceptionally(failure);
        } else {
            ((CompletableFuture<Object>) future).complete(result);
        }
    }

    private void apply(StoreWrite write) throws SQLException {
        Statements s = statements;
        // Java 17: no pattern matching for switch yet; StoreWrite is sealed, so this is exhaustive.
        if (write instanceof StoreWrite.CreateWorkflow w) {
            PreparedStatement p = s.createWorkflow;
            p.setString(1, w.workflowId());
            p.setString(2, WorkflowStatus.RUNNING.name());
            p.setString(3, w.dagJson());
            p.setLong(4, w.createdAtMillis());
            p.setLong(5, w.createdAtMillis());
            if (p.executeUpdate() == 0) {
                throw new WorkflowExistsException(w.workflowId());
            }
        } else if (write instanceof StoreWrite.PutTask w) {
            if (w.guarded()) {
                putGuardedTask(w);
                return;
            }
            if (putTask(w) == 0) {
                throw new UnknownWorkflowException(w.workflowId());
            }
        } else if (write instanceof StoreWrite.MarkCommitted w) {
            PreparedStatement p = s.markCommitted;
            p.setString(1, TaskState.COMMITTED.name());
            p.setString(2, w.workflowId());
            p.setString(3, w.taskId());
            p.executeUpdate();
        } else if (write instanceof StoreWrite.SetStatus w) {
            PreparedStatement p = s.setStatus;
            p.setString(1, w.status().name());
            setNullable(p, 2, w.outputJson());
            setNullable(p, 3, w.error());
            p.setLong(4, System.currentTimeMillis());
            p.setString(5, w.workflowId());
            p.executeUpdate();
        } else if (write instanceof StoreWrite.DeleteWorkflow w) {
            s.deleteTasks.setString(1, w.workflowId());
            s.deleteTasks.executeUpdate();
            s.deleteWorkflow.setString(1, w.workflowId());
            s.deleteWorkflow.executeUpdate();
        } else {
            throw new IllegalArgumentException("Unknown write: " + write);
        }
    }

    private int putTask(StoreWrite.PutTask w) throws SQLException {
        PreparedStatement p = statements.putTask;
        p.setString(1, w.workflowId());
        p.setString(2, w.taskId());
        p.setString(3, w.state().name());
        setNullable(p, 4, w.outputJson());
        p.setString(5, w.workflowId());
        return p.executeUpdate();
    }

    /**
     * A checkpoint with its race's decision and its claims, all or nothing. The decision is inserted
     * unless the race has its record already; then each claim unless one is there already. The
     * first refusal undoes what this write inserted before it and refuses the write. The writer is
     * the only one writing, so nothing can come between. The usual case, one free claim, costs two
     * statements: the claim's insert and the task's.
     */
    private void putGuardedTask(StoreWrite.PutTask w) throws SQLException {
        Statements s = statements;
        long now = System.currentTimeMillis();
        StoreWrite.Decision decision = w.decision();
        boolean decided = false;
        List<EventClaim> inserted = new ArrayList<>(w.claims().size());
        try {
            if (decision != null) {
                decide(w, decision);
                decided = true;
            }
            for (EventClaim claim : w.claims()) {
                s.insertClaim.setString(1, claim.source());
                s.insertClaim.setString(2, claim.eventId());
                s.insertClaim.setString(3, w.workflowId());
                s.insertClaim.setString(4, w.taskId());
                s.insertClaim.setLong(5, now);
                if (s.insertClaim.executeUpdate() == 0) {
                    ClaimRecord holder = findClaim(s.findClaim, claim);
                    throw new EventClaimedException(holder);
                }
                inserted.add(claim);
            }
            if (putTask(w) == 0) {
                throw new UnknownWorkflowException(w.workflowId());
            }
            deleteClaimedEarlyEvents(w);
        } catch (SQLException | RuntimeException e) {
            // A refused decision or claim, a missing workflow, or a statement-local failure (say, an
            // oversized event) that rolled back only its own statement: take back what this write
            // inserted.
            for (EventClaim claim : inserted) {
                s.deleteClaim.setString(1, claim.source());
                s.deleteClaim.setString(2, claim.eventId());
                s.deleteClaim.executeUpdate();
            }
            if (decided) {
                s.deleteTask.setString(1, w.workflowId());
                s.deleteTask.setString(2, decision.taskId());
                s.deleteTask.executeUpdate();
            }
            throw e;
        }
    }

    /** Inserts the race's record, or refuses: the race is decided already, or the workflow is gone. */
    private void decide(StoreWrite.PutTask w, StoreWrite.Decision decision) throws SQLException {
        PreparedStatement p = statements.insertDecision;
        p.setString(1, w.workflowId());
        p.setString(2, decision.taskId());
        p.setString(3, TaskState.DONE.name());
        p.setString(4, decision.outputJson());
        p.setString(5, w.workflowId());
        if (p.executeUpdate() == 1) {
            return;
        }
        PreparedStatement find = statements.findTask;
        find.setString(1, w.workflowId());
        find.setString(2, decision.taskId());
        try (ResultSet rs = find.executeQuery()) {
            if (rs.next()) {
                throw new RaceDecidedException(w.workflowId(), decision.taskId(), w.taskId());
            }
        }
        throw new UnknownWorkflowException(w.workflowId());
    }

    /**
     * An early event buffered under an id that this checkpoint claims in the workflow's inbox is
     * the event being checkpointed (or a copy of it): its row goes in the same transaction, so a
     * crash can neither leave it buffered after the checkpoint nor lose it before [R9.3].
     */
    private void deleteClaimedEarlyEvents(StoreWrite.PutTask w) throws SQLException {
        if (!earlyEventsPossible) {
            return;
        }
        String inbox = EventClaim.INBOX_PREFIX + w.workflowId();
        for (EventClaim claim : w.claims()) {
            if (claim.source().equals(inbox)) {
                statements.deleteEarlyEvent.setString(1, w.workflowId());
                statements.deleteEarlyEvent.setString(2, claim.eventId());
                statements.deleteEarlyEvent.executeUpdate();
            }
        }
    }

    /** Reads a claim with {@link SqliteWorkflowStore#FIND_CLAIM_SQL}; null if there is none. */
    static ClaimRecord findClaim(PreparedStatement find, EventClaim claim) throws SQLException {
        find.setString(1, claim.source());
        find.setString(2, claim.eventId());
        try (ResultSet rs = find.executeQuery()) {
            return rs.next() ? new ClaimRecord(claim, rs.getString(1), rs.getString(2), rs.getLong(3)) : null;
        }
    }

    private static String describe(StoreWrite write) {
        return write == null
                ? "a write"
                : write.getClass().getSimpleName() + " of workflow '" + write.workflowId() + "'";
    }

    private static void setNullable(PreparedStatement p, int index, String value) throws SQLException {
        if (value == null) {
            p.setNull(index, Types.VARCHAR);
        } else {
            p.setString(index, value);
        }
    }

    /**
     * Rolls back the open transaction and drops the prepared statements: sqlite-jdbc finalizes a
     * prepared statement whose execution fails with any code but BUSY, LOCKED, CONSTRAINT or
     * MISUSE, so after a failure any of them may be dead ("statement is not executing"). The
     * connection stays, keeping its settings, unless even the rollback fails.
     */
    private void rollback() {
        if (statements != null) {
            statements.close();
            statements = null;
        }
        if (connection == null) {
            return;
        }
        try (Statement s = connection.createStatement()) {
            s.execute("ROLLBACK");
        } catch (SQLException e) {
            // SQLite may already have rolled back by itself (it does on some I/O and full errors).
            String message = String.valueOf(e.getMessage());
            if (!message.contains("no transaction is active")) {
                LOG.warn("Rollback failed on {}; reopening the write connection: {}", dbFile, message);
                discardConnection();
            }
        }
    }

    private void discardConnection() {
        if (statements != null) {
            statements.close();
            statements = null;
        }
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                LOG.warn("Could not close the write connection to {}: {}", dbFile, e.getMessage());
            }
            connection = null;
        }
    }

    /** Prepared once per connection, reused for every batch. */
    private static final class Statements implements AutoCloseable {
        final PreparedStatement begin;
        final PreparedStatement commit;
        final PreparedStatement createWorkflow;
        final PreparedStatement putTask;
        final PreparedStatement insertDecision;
        final PreparedStatement findTask;
        final PreparedStatement deleteTask;
        final PreparedStatement findClaim;
        final PreparedStatement insertClaim;
        final PreparedStatement deleteClaim;
        final PreparedStatement deleteEarlyEvent;
        final PreparedStatement markCommitted;
        final PreparedStatement setStatus;
        final PreparedStatement deleteTasks;
        final PreparedStatement deleteWorkflow;
        private final List<Statement> all = new ArrayList<>();

        Statements(Connection c) throws SQLException {
            try {
                begin = prepare(c, "BEGIN IMMEDIATE");
                commit = prepare(c, "COMMIT");
                createWorkflow = prepare(c, """
                        INSERT INTO workflows (id, status, dag, output, error, created_at, updated_at)
                        VALUES (?, ?, ?, NULL, NULL, ?, ?)
                        ON CONFLICT (id) DO NOTHING""");
                // Only for a stored workflow: a task that finishes after its workflow was deleted
                // must not leave a row that a new workflow with the same id would inherit.
                putTask = prepare(c, """
                        INSERT INTO tasks (workflow_id, task_id, state, output)
                        SELECT ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM workflows WHERE id = ?)
                        ON CONFLICT (workflow_id, task_id)
                        DO UPDATE SET state = excluded.state, output = excluded.output""");
                // A race's record is written once: a second member's checkpoint finds it and is refused.
                insertDecision = prepare(c, """
                        INSERT INTO tasks (workflow_id, task_id, state, output)
                        SELECT ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM workflows WHERE id = ?)
                        ON CONFLICT (workflow_id, task_id) DO NOTHING""");
                findTask = prepare(c, "SELECT 1 FROM tasks WHERE workflow_id = ? AND task_id = ?");
                deleteTask = prepare(c, "DELETE FROM tasks WHERE workflow_id = ? AND task_id = ?");
                findClaim = prepare(c, SqliteWorkflowStore.FIND_CLAIM_SQL);
                insertClaim = prepare(c, """
                        INSERT INTO event_claims (source, event_id, workflow_id, task_id, claimed_at)
                        VALUES (?, ?, ?, ?, ?) ON CONFLICT (source, event_id) DO NOTHING""");
                deleteClaim = prepare(c, "DELETE FROM event_claims WHERE source = ? AND event_id = ?");
                deleteEarlyEvent = prepare(c, SqliteEarlyEvents.DELETE_CLAIMED_SQL);
                markCommitted = prepare(c, "UPDATE tasks SET state = ? WHERE workflow_id = ? AND task_id = ?");
                setStatus = prepare(
                        c, "UPDATE workflows SET status = ?, output = ?, error = ?, updated_at = ? WHERE id = ?");
                deleteTasks = prepare(c, "DELETE FROM tasks WHERE workflow_id = ?");
                deleteWorkflow = prepare(c, "DELETE FROM workflows WHERE id = ?");
            } catch (SQLException | RuntimeException e) {
                close();
                throw e;
            }
        }

        private PreparedStatement prepare(Connection c, String sql) throws SQLException {
            PreparedStatement p = c.prepareStatement(sql);
            all.add(p);
            return p;
        }

        @Override
        public void close() {
            for (Statement s : all) {
                try {
                    s.close();
                } catch (SQLException ignored) {
                    // closing anyway
                }
            }
            all.clear();
        }
    }
}
