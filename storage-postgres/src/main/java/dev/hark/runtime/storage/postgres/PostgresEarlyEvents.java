package dev.hark.runtime.storage.postgres;

import dev.hark.runtime.storage.EarlyEventOutcome;
import dev.hark.runtime.storage.EarlyEventRecord;
import dev.hark.runtime.storage.StoreWrite;
import dev.hark.runtime.storage.jdbc.EarlyEventRows;
import dev.hark.runtime.storage.jdbc.SingleWriter;
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
 * The {@code early_events} table [R9.1–R9.4] in PostgreSQL: the writer tasks of {@link
 * EarlyEventRows}. The row's removal when a wait checkpoints the event is part of the checkpoint's
 * own write ({@link PostgresBatch}).
 */
final class PostgresEarlyEvents {

    static final EarlyEventRows ROWS = new EarlyEventRows("ON CONSTRAINT early_events_once");

    private PostgresEarlyEvents() {}

    /**
     * As {@link EarlyEventRows#create}, with the workflow owned by {@code owner} (this node): the
     * workflow and its first event, or nothing, in the writer's next batch.
     */
    static CompletableFuture<EarlyEventOutcome> create(
            SingleWriter writer, long owner, StoreWrite.CreateWorkflow create, EarlyEventRecord event) {
        Objects.requireNonNull(create, "create");
        Objects.requireNonNull(event, "event");
        writer.earlyEventsPossible(true);
        return writer.submit(c -> create(c, owner, create, event), true);
    }

    private static EarlyEventOutcome create(
            Connection c, long owner, StoreWrite.CreateWorkflow create, EarlyEventRecord event) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("""
                INSERT INTO workflows (id, status, dag, output, error, created_at, updated_at, owner)
                VALUES (?, ?, ?, NULL, NULL, ?, ?, ?) ON CONFLICT (id) DO NOTHING""")) {
            p.setString(1, create.workflowId());
            p.setString(2, WorkflowStatus.RUNNING.name());
            p.setString(3, create.dagJson());
            p.setLong(4, create.createdAtMillis());
            p.setLong(5, create.createdAtMillis());
            p.setLong(6, owner);
            if (p.executeUpdate() == 0) {
                return EarlyEventOutcome.WORKFLOW_EXISTS;
            }
        }
        // A workflow deleted earlier may have left rows behind under its id: they are not this one's.
        try (PreparedStatement p = c.prepareStatement("DELETE FROM early_events WHERE workflow_id = ?")) {
            p.setString(1, create.workflowId());
            p.executeUpdate();
        }
        try (PreparedStatement p = c.prepareStatement("INSERT INTO early_events"
                + " (workflow_id, event_key, event_id, payload, received_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)")) {
            p.setString(1, event.workflowId());
            p.setString(2, event.eventKey());
            p.setString(3, event.eventId());
            p.setString(4, event.payloadJson());
            p.setLong(5, event.receivedAtMillis());
            p.setLong(6, event.expiresAtMillis());
            p.executeUpdate();
        }
        return EarlyEventOutcome.CREATED;
    }

    /** Writer task, in the batch's transaction. */
    static List<EarlyEventRecord> drop(Connection c, List<EarlyEventRecord> expired) throws SQLException {
        List<EarlyEventRecord> dropped = EarlyEventRows.dropExpired(c, expired);
        try (PreparedStatement p = c.prepareStatement("DELETE FROM early_events e WHERE NOT EXISTS"
                        + " (SELECT 1 FROM workflows w WHERE w.id = e.workflow_id"
                        + " AND w.status NOT IN ('SUCCESSFUL', 'CANCELED'))"
                        + " RETURNING e.seq, e.workflow_id, e.event_key, e.event_id, e.payload, e.received_at,"
                        + " e.expires_at");
                ResultSet rs = p.executeQuery()) {
            List<Object[]> orphans = new ArrayList<>();
            while (rs.next()) {
                orphans.add(new Object[] {rs.getLong(1), EarlyEventRows.record(rs)});
            }
            orphans.sort((a, b) -> Long.compare((Long) a[0], (Long) b[0]));
            for (Object[] orphan : orphans) {
                dropped.add((EarlyEventRecord) orphan[1]);
            }
        }
        return dropped;
    }
}
