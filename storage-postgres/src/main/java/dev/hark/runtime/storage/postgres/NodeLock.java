package dev.hark.runtime.storage.postgres;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node per database, for now: a session-level advisory lock held by a connection of its own
 * (outside the pool, which would retire it) for as long as the store is open. PostgreSQL releases
 * it when that session ends, also when the node's process is killed and the server sees its
 * socket close, so a restarted node gets it back.
 *
 * <p>Several nodes on one database need leases that fence each workflow's writes (issue 16); until
 * then a second node would take over workflows the first still runs, so it is refused.
 */
final class NodeLock implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(NodeLock.class);

    /** Arbitrary, Hark's own: "hark" in ASCII, then 2. */
    static final long KEY = 0x6861_726BL << 32 | 2;

    private static final long POLL_MILLIS = 100;

    private final Connection connection;

    private NodeLock(Connection connection) {
        this.connection = connection;
    }

    /**
     * Takes the lock, waiting up to {@code patience} for a node that is going away (a killed
     * node's session may outlive it by a moment).
     *
     * @throws IllegalStateException when another node holds it after that
     */
    static NodeLock acquire(PostgresSettings settings, Duration patience) throws SQLException {
        Properties properties = new Properties();
        if (settings.user() != null) {
            properties.setProperty("user", settings.user());
        }
        if (settings.password() != null) {
            properties.setProperty("password", settings.password());
        }
        properties.setProperty("ApplicationName", "hark node lock");
        properties.setProperty("tcpKeepAlive", "true");
        Connection c = DriverManager.getConnection(settings.jdbcUrl(), properties);
        try (Statement s = c.createStatement()) {
            long deadline = System.nanoTime() + patience.toNanos();
            while (true) {
                try (ResultSet rs = s.executeQuery("SELECT pg_try_advisory_lock(" + KEY + ")")) {
                    rs.next();
                    if (rs.getBoolean(1)) {
                        return new NodeLock(c);
                    }
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException("another Hark node is using the database " + settings.jdbcUrl()
                            + " (it holds Hark's node lock); running several nodes on one database is not"
                            + " supported yet. Stop the other node, or give this one another database.");
                }
                try {
                    Thread.sleep(POLL_MILLIS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for Hark's node lock", e);
                }
            }
        } catch (SQLException | RuntimeException e) {
            try {
                c.close();
            } catch (SQLException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** Ends the session, which releases the lock. Idempotent. */
    @Override
    public void close() {
        try {
            connection.close();
        } catch (SQLException e) {
            LOG.debug("Ignoring failure to close the node lock's connection: {}", e.getMessage());
        }
    }
}
