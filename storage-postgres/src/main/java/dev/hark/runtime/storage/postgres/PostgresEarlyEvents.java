package dev.hark.runtime.storage.postgres;

import dev.hark.runtime.storage.EarlyEventRecord;
import dev.hark.runtime.storage.jdbc.EarlyEventRows;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code early_events} table [R9.1–R9.4] in PostgreSQL: the writer tasks of {@link
 * EarlyEventRows}. The row's removal when a wait checkpoints the event is part of the checkpoint's
 * own write ({@link PostgresBatch}).
 */
final class PostgresEarlyEvents {

    static final EarlyEventRows ROWS = new EarlyEventRows("ON CONSTRAINT early_events_once");

    private PostgresEarlyEvents() {}

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
