package dev.hark.runtime.storage.sqlite;

import dev.hark.runtime.storage.StorageException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** The tables, and the schema version kept in {@code PRAGMA user_version}. */
final class SqliteSchema {

    /**
     * The schema version this code writes and understands. 0 means an empty database. Version 2
     * dropped version 1's {@code workflows_by_status} index; version 3 added {@code event_claims}
     * (see {@link #UPGRADES}); version 4 added {@code early_events}.
     */
    static final int VERSION = 4;

    /**
     * One row per claimed occurrence [R7.1]. A rowid table, not WITHOUT ROWID: rows arrive in time
     * order, so the retention sweep walks {@code seq} from the oldest and stops at the first young
     * claim instead of scanning the whole table; the unique index is what refuses a second claim.
     */
    private static final String CLAIMS_DDL = """
        CREATE TABLE IF NOT EXISTS event_claims (
          seq         INTEGER PRIMARY KEY,
          source      TEXT NOT NULL,
          event_id    TEXT NOT NULL,
          workflow_id TEXT NOT NULL,
          task_id     TEXT NOT NULL,
          claimed_at  INTEGER NOT NULL,
          UNIQUE (source, event_id)
        )""";

    private static final String[] DDL = {
        """
        CREATE TABLE IF NOT EXISTS workflows (
          id         TEXT PRIMARY KEY,
          status     TEXT NOT NULL,
          dag        TEXT NOT NULL,
          output     TEXT,
          error      TEXT,
          created_at INTEGER NOT NULL,
          updated_at INTEGER NOT NULL
        )""",
        // No index on status: every finished workflow would move in it (a delete and an insert on
        // two random pages), which cost the store writer a quarter of its time per delivered event
        // (docs/PERFORMANCE.md). The scans by status (resume on open, list) read the id index in
        // order instead, so they still stream without sorting.
        // Small rows keyed by a composite text key: WITHOUT ROWID stores them in the key's b-tree,
        // clustered by workflow, with no second index.
        """
        CREATE TABLE IF NOT EXISTS tasks (
          workflow_id TEXT NOT NULL,
          task_id     TEXT NOT NULL,
          state       TEXT NOT NULL,
          output      TEXT,
          PRIMARY KEY (workflow_id, task_id)
        ) WITHOUT ROWID""",
        CLAIMS_DDL,
        SqliteEarlyEvents.DDL,
    };

    /** Statements that bring a database of version {@code i + 1} to version {@code i + 2}. */
    private static final String[][] UPGRADES = {
        {"DROP INDEX IF EXISTS workflows_by_status"}, {CLAIMS_DDL}, {SqliteEarlyEvents.DDL},
    };

    private SqliteSchema() {}

    /**
     * Creates the schema in an empty database, accepts a current one, refuses a newer one. Runs in
     * one immediate transaction so that two processes opening a new folder do not race.
     */
    static void ensure(Connection c, Path dbFile) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("BEGIN IMMEDIATE");
            boolean done = false;
            try {
                int version = userVersion(s);
                if (version > VERSION) {
                    throw new StorageException("The database " + dbFile + " has schema version "
                            + version + ", written by a newer Hark; this version understands up to "
                            + VERSION + ". Upgrade Hark, or use another data folder.");
                }
                if (version == 0) {
                    for (String ddl : DDL) {
                        s.execute(ddl);
                    }
                } else {
                    for (int from = version; from < VERSION; from++) {
                        for (String upgrade : UPGRADES[from - 1]) {
                            s.execute(upgrade);
                        }
                    }
                }
                if (version < VERSION) {
                    s.execute("PRAGMA user_version = " + VERSION);
                }
                s.execute("COMMIT");
                done = true;
            } finally {
                if (!done) {
                    try {
                        s.execute("ROLLBACK");
                    } catch (SQLException ignored) {
                        // the original failure matters more
                    }
                }
            }
        }
    }

    static int userVersion(Statement s) throws SQLException {
        try (ResultSet rs = s.executeQuery("PRAGMA user_version")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
