package dev.hark.runtime.storage.sqlite;

import dev.hark.runtime.storage.ClaimRecord;
import dev.hark.runtime.storage.EventClaim;
import dev.hark.runtime.storage.EventClaimedException;
import dev.hark.runtime.storage.StorageException;
import dev.hark.runtime.storage.StoreWrite;
import dev.hark.runtime.storage.TaskState;
import dev.hark.runtime.storage.jdbc.EarlyEventRows;
import dev.hark.runtime.storage.jdbc.SingleWriter;
import dev.hark.runtime.storage.jdbc.StoredRows;
import dev.hark.workflow.UnknownWorkflowException;
import dev.hark.workflow.WorkflowExistsException;
import dev.hark.workflow.WorkflowStatus;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single writer's SQLite half: it owns the write connection and applies each batch that
 * {@link SingleWriter} (the queue, batching and completion) hands it in one transaction, committed
 * once (group commit).
 */
final class GroupCommitWriter extends SingleWriter {

    private static final Logger LOG = LoggerFactory.getLogger(GroupCommitWriter.class);

    /** Opens a configured write connection. */
    @FunctionalInterface
    interface Connector {
        Connection connect() throws SQLException;
    }

    private final Path dbFile;
    private final Connector connector;

    // Owned by the writer thread.
    private Connection connection;
    private Statements statements;

    GroupCommitWriter(Path dbFile, Connection connection, Connector connector, int maxBatch, int queueCapacity) {
        super(String.valueOf(dbFile), maxBatch, queueCapacity);
        this.dbFile = dbFile;
        this.connection = connection;
        this.connector = connector;
        start();
    }

    @Override
    protected Object runTaskAlone(WriterTask<?> task) throws SQLException {
        if (connection == null) {
            connection = connector.connect();
        }
        return task.run(connection);
    }

    @Override
    protected StorageException taskFailed(SQLException e) {
        statements = closed(statements);
        return SqliteErrors.storageException("Could not run a task on", dbFile, e);
    }

    private static Statements closed(Statements statements) {
        if (statements != null) {
            statements.close();
        }
        return null;
    }

    @Override
    protected void runBatch(List<Op> batch) {
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
                    failures[i] = SqliteErrors.storageException(
                            "Could not write " + SingleWriter.describe(op.write()) + " to", dbFile, e);
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
        } catch (SQLException e) {
            rollback();
            failed(batch, SqliteErrors.storageException(couldNotSave(n), dbFile, e));
            return;
        }
        committed(batch, applied, results, failures, commitNanos);
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
            StoredRows.setNullable(p, 2, w.outputJson());
            StoredRows.setNullable(p, 3, w.error());
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
        StoredRows.setNullable(p, 4, w.outputJson());
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
                    ClaimRecord holder = StoredRows.findClaim(s.findClaim, claim);
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
        throw StoredRows.decisionRefused(statements.findTask, w, decision);
    }

    /**
     * An early event buffered under an id that this checkpoint claims in the workflow's inbox is
     * the event being checkpointed (or a copy of it): its row goes in the same transaction, so a
     * crash can neither leave it buffered after the checkpoint nor lose it before [R9.3].
     */
    private void deleteClaimedEarlyEvents(StoreWrite.PutTask w) throws SQLException {
        if (!earlyEventsPossible()) {
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

    @Override
    protected void discardConnection() {
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
                // must not leave a row that a new workflow with the same id would inherit. The id is
                // bound once (?1): one checkpoint per event, one JNI bind and UTF-8 copy fewer.
                putTask = prepare(c, """
                        INSERT INTO tasks (workflow_id, task_id, state, output)
                        SELECT ?1, ?2, ?3, ?4 WHERE EXISTS (SELECT 1 FROM workflows WHERE id = ?1)
                        ON CONFLICT (workflow_id, task_id)
                        DO UPDATE SET state = excluded.state, output = excluded.output""");
                // A race's record is written once: a second member's checkpoint finds it and is refused.
                insertDecision = prepare(c, """
                        INSERT INTO tasks (workflow_id, task_id, state, output)
                        SELECT ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM workflows WHERE id = ?)
                        ON CONFLICT (workflow_id, task_id) DO NOTHING""");
                findTask = prepare(c, "SELECT 1 FROM tasks WHERE workflow_id = ? AND task_id = ?");
                deleteTask = prepare(c, "DELETE FROM tasks WHERE workflow_id = ? AND task_id = ?");
                findClaim = prepare(c, StoredRows.FIND_CLAIM_SQL);
                insertClaim = prepare(c, """
                        INSERT INTO event_claims (source, event_id, workflow_id, task_id, claimed_at)
                        VALUES (?, ?, ?, ?, ?) ON CONFLICT (source, event_id) DO NOTHING""");
                deleteClaim = prepare(c, "DELETE FROM event_claims WHERE source = ? AND event_id = ?");
                deleteEarlyEvent = prepare(c, EarlyEventRows.DELETE_CLAIMED_SQL);
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
