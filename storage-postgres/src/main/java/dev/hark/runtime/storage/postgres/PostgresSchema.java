package dev.hark.runtime.storage.postgres;

import dev.hark.runtime.storage.StorageException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The schema's migrations: numbered SQL files ({@code migrations/V<n>__<what>.sql} beside this
 * class), applied in order, each recorded in {@code schema_version}. All of one open's migrations
 * run in one transaction under a transaction-scoped advisory lock, so nodes that open a new
 * database at once apply each migration exactly once and never see half a schema. A database
 * whose version is newer than this code's is refused.
 */
final class PostgresSchema {

    /** The migrations, in order: version i + 1 is {@code MIGRATIONS.get(i)}. Add new ones at the end. */
    static final List<String> MIGRATIONS = List.of("V1__initial_schema.sql", "V2__nodes.sql");

    static final int VERSION = MIGRATIONS.size();

    /** Arbitrary, Hark's own: "hark" in ASCII, then 1. */
    static final long MIGRATION_LOCK = 0x6861_726BL << 32 | 1;

    private PostgresSchema() {}

    /** @return how many migrations this call applied (0 when the schema was current) */
    static int migrate(Connection c, String where) throws SQLException {
        return migrate(c, where, VERSION);
    }

    /** Test hook: brings the schema up to {@code target} only (a database of an older Hark). */
    static int migrate(Connection c, String where, int target) throws SQLException {
        return Transactions.inTransaction(c, () -> {
            try (Statement s = c.createStatement()) {
                // Waits for another node's migration to finish, then sees its result.
                s.execute("SELECT pg_advisory_xact_lock(" + MIGRATION_LOCK + ")");
                s.execute("""
                        CREATE TABLE IF NOT EXISTS schema_version (
                          version     INTEGER PRIMARY KEY,
                          script      TEXT NOT NULL,
                          applied_at  TIMESTAMPTZ NOT NULL DEFAULT now()
                        )""");
                int current;
                try (ResultSet rs = s.executeQuery("SELECT coalesce(max(version), 0) FROM schema_version")) {
                    rs.next();
                    current = rs.getInt(1);
                }
                if (current > VERSION) {
                    throw new StorageException("The database " + where + " has schema version " + current
                            + ", written by a newer Hark; this version understands up to " + VERSION
                            + ". Upgrade Hark, or use another database.");
                }
                try (PreparedStatement record =
                        c.prepareStatement("INSERT INTO schema_version (version, script) VALUES (?, ?)")) {
                    for (int v = current + 1; v <= target; v++) {
                        String script = MIGRATIONS.get(v - 1);
                        s.execute(read(script));
                        record.setInt(1, v);
                        record.setString(2, script);
                        record.executeUpdate();
                    }
                }
                return Math.max(0, target - current);
            }
        });
    }

    private static String read(String script) {
        try (InputStream in = PostgresSchema.class.getResourceAsStream("migrations/" + script)) {
            if (in == null) {
                throw new IllegalStateException("migration " + script + " is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read migration " + script, e);
        }
    }
}
