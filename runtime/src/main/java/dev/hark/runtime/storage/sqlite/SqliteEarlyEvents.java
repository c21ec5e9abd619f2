package dev.hark.runtime.storage.sqlite;

import dev.hark.runtime.storage.EarlyEventOutcome;
import dev.hark.runtime.storage.EarlyEventRecord;
import dev.hark.runtime.storage.EventClaim;
import dev.hark.runtime.storage.StoreWrite;
import dev.hark.workflow.WorkflowStatus;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code early_events} table [R9.1–R9.4]: writer tasks that join the writer's batch transaction (so
 * a buffered event is durable when its future completes), and the read at open. The row's removal
 * when a wait checkpoints the event is part of the checkpoint's own write ({@link GroupCommitWriter}).
 */
final class SqliteEarlyEvents {

    static final String DDL = """
        CREATE TABLE IF NOT EXISTS early_events (
          seq         INTEGER PRIMARY KEY,
          workflow_id TEXT NOT NULL,
          event_key   TEXT NOT NULL,
          event_id    TEXT NOT NULL,
          payload     TEXT NOT NULL,
          received_at INTEGER NOT NULL,
          expires_at  INTEGER NOT NULL,
          UNIQUE (workflow_id, event_id)
        )""";

    /** Removes a buffered event that a checkpoint just claimed; run in the checkpoint's transaction. */
    static final String DELETE_CLAIMED_SQL = "DELETE FROM early_events WHERE workflow_id = ? AND event_id = ?";

    private SqliteEarlyEvents() {}

    /** Writer task, in the batch's transaction. */
    static EarlyEventOutcome buffer(Connection c, EarlyEventRecord event) throws SQLException {
        try (PreparedStatement running = c.prepareStatement("SELECT status FROM workflows WHERE id = ?")) {
            running.setString(1, event.workflowId());
            try (ResultSet rs = running.executeQuery()) {
                if (!rs.next() || !WorkflowStatus.RUNNING.name().equals(rs.getString(1))) {
                    return EarlyEventOutcome.WORKFLOW_NOT_RUNNING;
                }
            }
        }
        try (PreparedStatement claimed = c.prepareStatement(SqliteWorkflowStore.FIND_CLAIM_SQL)) {
            if (GroupCommitWriter.findClaim(claimed, EventClaim.inbox(event.workflowId(), event.eventId())) != null) {
                return EarlyEventOutcome.ALREADY_RECORDED;
            }
        }
        return insert(c, event) ? EarlyEventOutcome.BUFFERED : EarlyEventOutcome.ALREADY_BUFFERED;
    }

    /** Writer task, in the batch's transaction: the workflow and its first event, or nothing. */
    static EarlyEventOutcome create(Connection c, StoreWrite.CreateWorkflow create, EarlyEventRecord event)
            throws SQLException {
        try (PreparedStatement p = c.prepareStatement("""
                INSERT INTO workflows (id, status, dag, output, error, created_at, updated_at)
                VALUES (?, ?, ?, NULL, NULL, ?, ?) ON CONFLICT (id) DO NOTHING""")) {
            p.setString(1, create.workflowId());
            p.setString(2, WorkflowStatus.RUNNING.name());
            p.setString(3, create.dagJson());
            p.setLong(4, create.createdAtMillis());
            p.setLong(5, create.createdAtMillis());
            if (p.executeUpdate() == 0) {
                return EarlyEventOutcome.WORKFLOW_EXISTS;
            }
        }
        // A workflow deleted earlier may have left rows behind under its id: they are not this one's.
        try (PreparedStatement p = c.prepareStatement("DELETE FROM early_events WHERE workflow_id = ?")) {
            p.setString(1, create.workflowId());
            p.executeUpdate();
        }
        insert(c, event);
        return EarlyEventOutcome.CREATED;
    }

    private static boolean insert(Connection c, EarlyEventRecord event) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("""
                INSERT INTO early_events (workflow_id, event_key, event_id, payload, received_at, expires_at)
                VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (workflow_id, event_id) DO NOTHING""")) {
            p.setString(1, event.workflowId());
            p.setString(2, event.eventKey());
            p.setString(3, event.eventId());
            p.setString(4, event.payloadJson());
            p.setLong(5, event.receivedAtMillis());
            p.setLong(6, event.expiresAtMillis());
            return p.executeUpdate() == 1;
        }
    }

    /** Writer task, in the batch's transaction. */
    static List<EarlyEventRecord> drop(Connection c, List<EarlyEventRecord> expired) throws SQLException {
        List<EarlyEventRecord> dropped = new ArrayList<>();
        try (PreparedStatement p =
                c.prepareStatement("DELETE FROM early_events WHERE workflow_id = ? AND event_id = ?")) {
            for (EarlyEventRecord event : expired) {
                p.setString(1, event.workflowId());
                p.setString(2, event.eventId());
                if (p.executeUpdate() == 1) {
                    dropped.add(event);
                }
            }
        }
        List<Long> orphans = new ArrayList<>();
        try (PreparedStatement p = c.prepareStatement(SELECT
                        + " WHERE NOT EXISTS (SELECT 1 FROM workflows w WHERE w.id = e.workflow_id"
                        + " AND w.status NOT IN ('SUCCESSFUL', 'CANCELED')) ORDER BY e.seq");
                ResultSet rs = p.executeQuery()) {
            while (rs.next()) {
                orphans.add(rs.getLong(1));
                dropped.add(record(rs));
            }
        }
        try (PreparedStatement p = c.prepareStatement("DELETE FROM early_events WHERE seq = ?")) {
            for (long seq : orphans) {
                p.setLong(1, seq);
                p.executeUpdate();
            }
        }
        return dropped;
    }

    /** On a read connection. */
    static List<EarlyEventRecord> all(Connection c) throws SQLException {
        List<EarlyEventRecord> all = new ArrayList<>();
        try (PreparedStatement p = c.prepareStatement(SELECT + " ORDER BY e.seq");
                ResultSet rs = p.executeQuery()) {
            while (rs.next()) {
                all.add(record(rs));
            }
        }
        return all;
    }

    private static final String SELECT =
            "SELECT e.seq, e.workflow_id, e.event_key, e.event_id, e.payload, e.received_at, e.expires_at"
                    + " FROM early_events e";

    private static EarlyEventRecord record(ResultSet rs) throws SQLException {
        return new EarlyEventRecord(
                rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getLong(6), rs.getLong(7));
    }
}
