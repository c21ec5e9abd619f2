package dev.hark.runtime.storage.sqlite;

import dev.hark.runtime.storage.EarlyEventRecord;
import dev.hark.runtime.storage.jdbc.EarlyEventRows;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code early_events} table [R9.1–R9.4] in SQLite: its DDL, and the writer tasks of {@link
 * EarlyEventRows}. The row's removal when a wait checkpoints the event is part of the checkpoint's
 * own write ({@link GroupCommitWriter}).
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

    static final EarlyEventRows ROWS = new EarlyEventRows("(workflow_id, event_id)");

    private SqliteEarlyEvents() {}

    /** Writer task, in the batch's transaction. */
    static List<EarlyEventRecord> drop(Connection c, List<EarlyEventRecord> expired) throws SQLException {
        List<EarlyEventRecord> dropped = EarlyEventRows.dropExpired(c, expired);
        List<Long> orphans = new ArrayList<>();
        try (PreparedStatement p = c.prepareStatement(EarlyEventRows.SELECT
                        + " WHERE NOT EXISTS (SELECT 1 FROM workflows w WHERE w.id = e.workflow_id"
                        + " AND w.status NOT IN ('SUCCESSFUL', 'CANCELED')) ORDER BY e.seq");
                ResultSet rs = p.executeQuery()) {
            while (rs.next()) {
                orphans.add(rs.getLong(1));
                dropped.add(EarlyEventRows.record(rs));
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
}
