package dev.hark.runtime.storage.jdbc;

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
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * The {@code early_events} table [R9.1–R9.4] as the JDBC stores share it: writer tasks that join
 * the writer's batch transaction (so a buffered event is durable when its future completes), and
 * the read at open. The row's removal when a wait checkpoints the event is part of the checkpoint's
 * own write ({@link #DELETE_CLAIMED_SQL}); dropping the rows of finished workflows is the store's
 * own.
 */
public final class EarlyEventRows {

    /** Removes a buffered event that a checkpoint just claimed; run in the checkpoint's transaction. */
    public static final String DELETE_CLAIMED_SQL = "DELETE FROM early_events WHERE workflow_id = ? AND event_id = ?";

    /** The columns {@link #record} reads, with {@code e.seq} first; the table is {@code e}. */
    public static final String SELECT =
            "SELECT e.seq, e.workflow_id, e.event_key, e.event_id, e.payload, e.received_at, e.expires_at"
                    + " FROM early_events e";

    private final String insertSql;

    /**
     * @param conflictTarget how the database names the one-row-per-event uniqueness in {@code ON
     *     CONFLICT}: a column list or a constraint
     */
    public EarlyEventRows(String conflictTarget) {
        this.insertSql = "INSERT INTO early_events (workflow_id, event_key, event_id, payload, received_at, expires_at)"
                + " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT " + conflictTarget + " DO NOTHING";
    }

    /** Buffers {@code event} in {@code writer}'s next batch. */
    public CompletableFuture<EarlyEventOutcome> buffer(SingleWriter writer, EarlyEventRecord event) {
        Objects.requireNonNull(event, "event");
        writer.earlyEventsPossible(true);
        return writer.submit(c -> buffer(c, event), true);
    }

    /** Creates the workflow with its first event in {@code writer}'s next batch. */
    public CompletableFuture<EarlyEventOutcome> create(
            SingleWriter writer, StoreWrite.CreateWorkflow create, EarlyEventRecord event) {
        Objects.requireNonNull(create, "create");
        Objects.requireNonNull(event, "event");
        writer.earlyEventsPossible(true);
        return writer.submit(c -> create(c, create, event), true);
    }

    private EarlyEventOutcome buffer(Connection c, EarlyEventRecord event) throws SQLException {
        try (PreparedStatement running = c.prepareStatement("SELECT status FROM workflows WHERE id = ?")) {
            running.setString(1, event.workflowId());
            try (ResultSet rs = running.executeQuery()) {
                if (!rs.next() || !WorkflowStatus.RUNNING.name().equals(rs.getString(1))) {
                    return EarlyEventOutcome.WORKFLOW_NOT_RUNNING;
                }
            }
        }
        try (PreparedStatement claimed = c.prepareStatement(StoredRows.FIND_CLAIM_SQL)) {
            if (StoredRows.findClaim(claimed, EventClaim.inbox(event.workflowId(), event.eventId())) != null) {
                return EarlyEventOutcome.ALREADY_RECORDED;
            }
        }
        return insert(c, event) ? EarlyEventOutcome.BUFFERED : EarlyEventOutcome.ALREADY_BUFFERED;
    }

    /** The workflow and its first event, or nothing. */
    private EarlyEventOutcome create(Connection c, StoreWrite.CreateWorkflow create, EarlyEventRecord event)
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

    private boolean insert(Connection c, EarlyEventRecord event) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(insertSql)) {
            p.setString(1, event.workflowId());
            p.setString(2, event.eventKey());
            p.setString(3, event.eventId());
            p.setString(4, event.payloadJson());
            p.setLong(5, event.receivedAtMillis());
            p.setLong(6, event.expiresAtMillis());
            return p.executeUpdate() == 1;
        }
    }

    /**
     * Writer task, in the batch's transaction: deletes the given expired events.
     *
     * @return those that were still buffered
     */
    public static List<EarlyEventRecord> dropExpired(Connection c, List<EarlyEventRecord> expired) throws SQLException {
        List<EarlyEventRecord> dropped = new ArrayList<>();
        try (PreparedStatement p = c.prepareStatement(DELETE_CLAIMED_SQL)) {
            for (EarlyEventRecord event : expired) {
                p.setString(1, event.workflowId());
                p.setString(2, event.eventId());
                if (p.executeUpdate() == 1) {
                    dropped.add(event);
                }
            }
        }
        return dropped;
    }

    /** On a read connection. */
    public static List<EarlyEventRecord> all(Connection c) throws SQLException {
        List<EarlyEventRecord> all = new ArrayList<>();
        try (PreparedStatement p = c.prepareStatement(SELECT + " ORDER BY e.seq");
                ResultSet rs = p.executeQuery()) {
            while (rs.next()) {
                all.add(record(rs));
            }
        }
        return all;
    }

    /** Reads columns 2..7 as selected by {@link #SELECT}. */
    public static EarlyEventRecord record(ResultSet rs) throws SQLException {
        return new EarlyEventRecord(
                rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getLong(6), rs.getLong(7));
    }
}
