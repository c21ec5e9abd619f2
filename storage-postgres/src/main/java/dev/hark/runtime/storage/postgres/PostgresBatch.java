package dev.hark.runtime.storage.postgres;

import dev.hark.runtime.storage.EventClaim;
import dev.hark.runtime.storage.EventClaimedException;
import dev.hark.runtime.storage.StoreWrite;
import dev.hark.runtime.storage.TaskState;
import dev.hark.runtime.storage.jdbc.EarlyEventRows;
import dev.hark.runtime.storage.jdbc.SingleWriter;
import dev.hark.runtime.storage.jdbc.StoredRows;
import dev.hark.workflow.UnknownWorkflowException;
import dev.hark.workflow.WorkflowExistsException;
import dev.hark.workflow.WorkflowStatus;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One transaction's worth of queued writes, applied in queue order on the writer's connection.
 * Consecutive writes of one kind go to the server together: new workflows as multi-row
 * {@code INSERT}s, task outputs, commit marks, statuses and deletes as JDBC batches (one round trip,
 * an update count per write). A checkpoint with claims or a race decision goes alone.
 */
final class PostgresBatch implements AutoCloseable {

    /**
     * @param applied how many writes were applied
     * @param results each op's result (internal tasks), by position
     * @param failures each op's failure, or null, by position
     */
    record Outcome(int applied, Object[] results, Throwable[] failures) {}

    /** Rows per multi-row INSERT: well below the protocol's 32,767 parameters. */
    static final int ROWS_PER_INSERT = 1_000;

    private static final String PUT_TASK_SQL = """
            INSERT INTO tasks (workflow_id, task_id, state, output)
            SELECT ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM workflows WHERE id = ?)
            ON CONFLICT (workflow_id, task_id) DO UPDATE SET state = excluded.state, output = excluded.output""";
    private static final String INSERT_DECISION_SQL = """
            INSERT INTO tasks (workflow_id, task_id, state, output)
            SELECT ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM workflows WHERE id = ?)
            ON CONFLICT (workflow_id, task_id) DO NOTHING""";
    private static final String INSERT_CLAIM_SQL = """
            INSERT INTO event_claims (source, event_id, workflow_id, task_id, claimed_at)
            VALUES (?, ?, ?, ?, ?) ON CONFLICT ON CONSTRAINT event_claims_once DO NOTHING""";
    private static final String MARK_COMMITTED_SQL = "UPDATE tasks SET state = ? WHERE workflow_id = ? AND task_id = ?";
    /** A resume (back to RUNNING) makes the workflow this node's. */
    private static final String SET_STATUS_SQL =
            "UPDATE workflows SET status = ?, output = ?, error = ?, updated_at = ?,"
                    + " owner = CASE WHEN ? THEN ? ELSE owner END WHERE id = ?";

    private static final String DELETE_WORKFLOW_SQL = "DELETE FROM workflows WHERE id = ?"; // tasks cascade

    private final Connection c;
    /** The node this store is: the owner of the workflows it creates or resumes. */
    private final long nodeId;

    private final boolean earlyEventsPossible;
    private final Map<String, PreparedStatement> prepared = new HashMap<>();

    PostgresBatch(Connection c, long nodeId, boolean earlyEventsPossible) {
        this.c = c;
        this.nodeId = nodeId;
        this.earlyEventsPossible = earlyEventsPossible;
    }

    /**
     * @param savepoints whether to wrap each write in a savepoint, so that one the database refuses
     *     fails alone (slower: the retry after such a refusal); without, such a refusal throws
     * @throws SQLException when the transaction cannot go on: the caller rolls back
     */
    Outcome apply(List<PostgresWriter.Op> ops, boolean savepoints, String where) throws SQLException {
        int n = ops.size();
        Object[] results = new Object[n];
        Throwable[] failures = new Throwable[n];
        int applied = 0;
        int i = 0;
        while (i < n) {
            if (!savepoints) {
                int end = runEnd(ops, i);
                if (end - i > 1) {
                    applied += applyRun(ops.subList(i, end), failures, i);
                    i = end;
                    continue;
                }
            }
            PostgresWriter.Op op = ops.get(i);
            Savepoint savepoint = savepoints ? c.setSavepoint() : null;
            try {
                if (op.write() != null) {
                    apply(op.write());
                    applied++;
                } else {
                    results[i] = op.task().run(c);
                }
                if (savepoint != null) {
                    c.releaseSavepoint(savepoint);
                }
            } catch (SQLException e) {
                if (savepoint == null) {
                    throw e;
                }
                PostgresWriter.rollbackTo(c, savepoint, e);
                failures[i] = PostgresErrors.storageException(
                        "Could not write " + SingleWriter.describe(op.write()) + " to", where, e);
            } catch (RuntimeException e) { // a refusal: nothing of the write is left
                if (savepoint != null) {
                    c.rollback(savepoint);
                }
                failures[i] = e;
            }
            i++;
        }
        return new Outcome(applied, results, failures);
    }

    // ---------------------------------------------------------------- runs of one kind

    /** The kinds of write that go to the server together; null for one that goes alone. */
    private static Class<?> runKind(PostgresWriter.Op op) {
        StoreWrite w = op.write();
        if (w == null || w instanceof StoreWrite.PutTask put && put.guarded()) {
            return null;
        }
        return w.getClass();
    }

    /** @return the end of the run of writes of one kind that starts at {@code start} */
    private static int runEnd(List<PostgresWriter.Op> ops, int start) {
        Class<?> kind = runKind(ops.get(start));
        if (kind == null) {
            return start + 1;
        }
        // A multi-row INSERT must not hold one id twice: it could not tell which row went in.
        Set<String> created = new HashSet<>();
        int end = start;
        while (end < ops.size() && runKind(ops.get(end)) == kind) {
            if (kind == StoreWrite.CreateWorkflow.class
                    && !created.add(ops.get(end).write().workflowId())) {
                break;
            }
            end++;
        }
        return end;
    }

    /** @return how many writes of {@code run} were applied; refusals go to {@code failures[offset + k]} */
    private int applyRun(List<PostgresWriter.Op> run, Throwable[] failures, int offset) throws SQLException {
        StoreWrite first = run.get(0).write();
        if (first instanceof StoreWrite.CreateWorkflow) {
            return createAll(run, failures, offset);
        }
        PreparedStatement p;
        if (first instanceof StoreWrite.PutTask) {
            p = statement(PUT_TASK_SQL);
            for (PostgresWriter.Op op : run) {
                bindPutTask(p, (StoreWrite.PutTask) op.write());
                p.addBatch();
            }
        } else if (first instanceof StoreWrite.MarkCommitted) {
            p = statement(MARK_COMMITTED_SQL);
            for (PostgresWriter.Op op : run) {
                bindMarkCommitted(p, (StoreWrite.MarkCommitted) op.write());
                p.addBatch();
            }
        } else if (first instanceof StoreWrite.SetStatus) {
            p = statement(SET_STATUS_SQL);
            long now = System.currentTimeMillis();
            for (PostgresWriter.Op op : run) {
                bindSetStatus(p, (StoreWrite.SetStatus) op.write(), now, nodeId);
                p.addBatch();
            }
        } else {
            p = statement(DELETE_WORKFLOW_SQL);
            for (PostgresWriter.Op op : run) {
                p.setString(1, op.write().workflowId());
                p.addBatch();
            }
        }
        int[] counts = p.executeBatch();
        int applied = 0;
        for (int k = 0; k < run.size(); k++) {
            if (first instanceof StoreWrite.PutTask && counts[k] == 0) {
                failures[offset + k] =
                        new UnknownWorkflowException(run.get(k).write().workflowId());
            } else {
                applied++;
            }
        }
        return applied;
    }

    private int createAll(List<PostgresWriter.Op> run, Throwable[] failures, int offset) throws SQLException {
        int applied = 0;
        for (int from = 0; from < run.size(); from += ROWS_PER_INSERT) {
            List<PostgresWriter.Op> chunk = run.subList(from, Math.min(run.size(), from + ROWS_PER_INSERT));
            StringBuilder sql = new StringBuilder(
                    "INSERT INTO workflows (id, status, dag, output, error, created_at, updated_at, owner) VALUES ");
            for (int k = 0; k < chunk.size(); k++) {
                sql.append(k == 0 ? "" : ", ").append("(?, ?, ?, NULL, NULL, ?, ?, ?)");
            }
            sql.append(" ON CONFLICT (id) DO NOTHING RETURNING id");
            Set<String> inserted = new HashSet<>();
            try (PreparedStatement p = c.prepareStatement(sql.toString())) {
                int i = 1;
                for (PostgresWriter.Op op : chunk) {
                    StoreWrite.CreateWorkflow w = (StoreWrite.CreateWorkflow) op.write();
                    p.setString(i++, w.workflowId());
                    p.setString(i++, WorkflowStatus.RUNNING.name());
                    p.setString(i++, w.dagJson());
                    p.setLong(i++, w.createdAtMillis());
                    p.setLong(i++, w.createdAtMillis());
                    p.setLong(i++, nodeId);
                }
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        inserted.add(rs.getString(1));
                    }
                }
            }
            for (int k = 0; k < chunk.size(); k++) {
                String id = chunk.get(k).write().workflowId();
                if (inserted.contains(id)) {
                    applied++;
                } else {
                    failures[offset + from + k] = new WorkflowExistsException(id);
                }
            }
        }
        return applied;
    }

    // ---------------------------------------------------------------- one write

    private void apply(StoreWrite write) throws SQLException {
        // Java 17: no pattern matching for switch yet; StoreWrite is sealed, so this is exhaustive.
        if (write instanceof StoreWrite.CreateWorkflow w) {
            PreparedStatement p = statement("""
                    INSERT INTO workflows (id, status, dag, output, error, created_at, updated_at, owner)
                    VALUES (?, ?, ?, NULL, NULL, ?, ?, ?) ON CONFLICT (id) DO NOTHING""");
            p.setString(1, w.workflowId());
            p.setString(2, WorkflowStatus.RUNNING.name());
            p.setString(3, w.dagJson());
            p.setLong(4, w.createdAtMillis());
            p.setLong(5, w.createdAtMillis());
            p.setLong(6, nodeId);
            if (p.executeUpdate() == 0) {
                throw new WorkflowExistsException(w.workflowId());
            }
        } else if (write instanceof StoreWrite.PutTask w) {
            if (w.guarded()) {
                putGuardedTask(w);
            } else if (putTask(w) == 0) {
                throw new UnknownWorkflowException(w.workflowId());
            }
        } else if (write instanceof StoreWrite.MarkCommitted w) {
            PreparedStatement p = statement(MARK_COMMITTED_SQL);
            bindMarkCommitted(p, w);
            p.executeUpdate();
        } else if (write instanceof StoreWrite.SetStatus w) {
            PreparedStatement p = statement(SET_STATUS_SQL);
            bindSetStatus(p, w, System.currentTimeMillis(), nodeId);
            p.executeUpdate();
        } else if (write instanceof StoreWrite.DeleteWorkflow w) {
            PreparedStatement p = statement(DELETE_WORKFLOW_SQL);
            p.setString(1, w.workflowId());
            p.executeUpdate();
        } else {
            throw new IllegalArgumentException("Unknown write: " + write);
        }
    }

    private int putTask(StoreWrite.PutTask w) throws SQLException {
        PreparedStatement p = statement(PUT_TASK_SQL);
        bindPutTask(p, w);
        return p.executeUpdate();
    }

    /**
     * A checkpoint with its race's decision and its claims, all or nothing: the decision unless
     * the race has its record already, then each claim unless it is held (the unique constraint
     * decides, also against another writer), then the task. A refusal undoes what this write
     * inserted before it, without raising a database error that would abort the transaction.
     */
    private void putGuardedTask(StoreWrite.PutTask w) throws SQLException {
        long now = System.currentTimeMillis();
        StoreWrite.Decision decision = w.decision();
        boolean decided = false;
        List<EventClaim> inserted = new ArrayList<>(w.claims().size());
        try {
            if (decision != null) {
                decide(w, decision);
                decided = true;
            }
            PreparedStatement insertClaim = statement(INSERT_CLAIM_SQL);
            for (EventClaim claim : w.claims()) {
                insertClaim.setString(1, claim.source());
                insertClaim.setString(2, claim.eventId());
                insertClaim.setString(3, w.workflowId());
                insertClaim.setString(4, w.taskId());
                insertClaim.setLong(5, now);
                if (insertClaim.executeUpdate() == 0) {
                    throw new EventClaimedException(StoredRows.findClaim(statement(StoredRows.FIND_CLAIM_SQL), claim));
                }
                inserted.add(claim);
            }
            if (putTask(w) == 0) {
                throw new UnknownWorkflowException(w.workflowId());
            }
            deleteClaimedEarlyEvents(w);
        } catch (RuntimeException e) {
            PreparedStatement deleteClaim =
                    statement("DELETE FROM event_claims WHERE source = ? AND event_id = ? AND workflow_id = ?");
            for (EventClaim claim : inserted) {
                deleteClaim.setString(1, claim.source());
                deleteClaim.setString(2, claim.eventId());
                deleteClaim.setString(3, w.workflowId());
                deleteClaim.executeUpdate();
            }
            if (decided) {
                PreparedStatement deleteTask = statement("DELETE FROM tasks WHERE workflow_id = ? AND task_id = ?");
                deleteTask.setString(1, w.workflowId());
                deleteTask.setString(2, decision.taskId());
                deleteTask.executeUpdate();
            }
            throw e;
        }
    }

    private void decide(StoreWrite.PutTask w, StoreWrite.Decision decision) throws SQLException {
        PreparedStatement p = statement(INSERT_DECISION_SQL);
        p.setString(1, w.workflowId());
        p.setString(2, decision.taskId());
        p.setString(3, TaskState.DONE.name());
        p.setString(4, decision.outputJson());
        p.setString(5, w.workflowId());
        if (p.executeUpdate() == 1) {
            return;
        }
        throw StoredRows.decisionRefused(
                statement("SELECT 1 FROM tasks WHERE workflow_id = ? AND task_id = ?"), w, decision);
    }

    /** An early event buffered under an id this checkpoint claims in the inbox goes with it [R9.3]. */
    private void deleteClaimedEarlyEvents(StoreWrite.PutTask w) throws SQLException {
        if (!earlyEventsPossible) {
            return;
        }
        String inbox = EventClaim.INBOX_PREFIX + w.workflowId();
        for (EventClaim claim : w.claims()) {
            if (claim.source().equals(inbox)) {
                PreparedStatement p = statement(EarlyEventRows.DELETE_CLAIMED_SQL);
                p.setString(1, w.workflowId());
                p.setString(2, claim.eventId());
                p.executeUpdate();
            }
        }
    }

    // ---------------------------------------------------------------- binding

    private static void bindPutTask(PreparedStatement p, StoreWrite.PutTask w) throws SQLException {
        p.setString(1, w.workflowId());
        p.setString(2, w.taskId());
        p.setString(3, w.state().name());
        StoredRows.setNullable(p, 4, w.outputJson());
        p.setString(5, w.workflowId());
    }

    private static void bindMarkCommitted(PreparedStatement p, StoreWrite.MarkCommitted w) throws SQLException {
        p.setString(1, TaskState.COMMITTED.name());
        p.setString(2, w.workflowId());
        p.setString(3, w.taskId());
    }

    private static void bindSetStatus(PreparedStatement p, StoreWrite.SetStatus w, long now, long nodeId)
            throws SQLException {
        p.setString(1, w.status().name());
        StoredRows.setNullable(p, 2, w.outputJson());
        StoredRows.setNullable(p, 3, w.error());
        p.setLong(4, now);
        p.setBoolean(5, w.status() == WorkflowStatus.RUNNING);
        p.setLong(6, nodeId);
        p.setString(7, w.workflowId());
    }

    /** Prepared once per batch; the driver keeps the server-side statement across batches. */
    private PreparedStatement statement(String sql) throws SQLException {
        PreparedStatement p = prepared.get(sql);
        if (p == null) {
            p = c.prepareStatement(sql);
            prepared.put(sql, p);
        }
        return p;
    }

    @Override
    public void close() {
        for (PreparedStatement p : prepared.values()) {
            try {
                p.close();
            } catch (SQLException ignored) {
                // closing anyway
            }
        }
        prepared.clear();
    }
}
