package dev.hark.runtime.storage.postgres;

import dev.hark.runtime.storage.StorageException;
import dev.hark.runtime.storage.jdbc.SingleWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single writer's PostgreSQL half: it borrows one connection and applies each batch that
 * {@link SingleWriter} (the queue, batching and completion) hands it in one transaction ({@link
 * PostgresBatch}), committed once (group commit).
 *
 * <p>PostgreSQL aborts a whole transaction on any error, where SQLite undoes just the statement.
 * Refusals the contract expects (a duplicate id, a held claim, a decided race) are therefore
 * written so that they raise no error ({@code ON CONFLICT DO NOTHING}, update counts). Should a
 * write fail all the same (a value PostgreSQL refuses), the batch is rolled back and applied again
 * with a savepoint around each write, so that only the failing write fails.
 */
final class PostgresWriter extends SingleWriter {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresWriter.class);

    /** Lends the writer a connection, and takes back a broken one. */
    interface Connections {
        Connection connect() throws SQLException;

        void discard(Connection broken);
    }

    private final String where;
    private final Connections connections;

    // Owned by the writer thread.
    private Connection connection;

    PostgresWriter(String where, Connections connections, int maxBatch, int queueCapacity) {
        super(where, maxBatch, queueCapacity);
        this.where = where;
        this.connections = connections;
        start();
    }

    private Connection connection() throws SQLException {
        if (connection == null) {
            Connection c = connections.connect();
            try {
                c.setAutoCommit(false);
            } catch (SQLException e) {
                connections.discard(c);
                throw e;
            }
            connection = c;
        }
        return connection;
    }

    /** In autocommit mode. */
    @Override
    protected Object runTaskAlone(WriterTask<?> task) throws SQLException {
        Connection c = connection();
        c.setAutoCommit(true);
        try {
            return task.run(c);
        } finally {
            c.setAutoCommit(false);
        }
    }

    @Override
    protected StorageException taskFailed(SQLException e) {
        discardConnection();
        return PostgresErrors.storageException("Could not run a task on", where, e);
    }

    @Override
    protected void runBatch(List<Op> batch) {
        int n = batch.size();
        PostgresBatch.Outcome outcome;
        long commitNanos;
        try {
            Connection c = connection();
            try {
                outcome = apply(c, batch, false);
                long commitStart = System.nanoTime();
                c.commit();
                commitNanos = System.nanoTime() - commitStart;
            } catch (SQLException first) {
                rollbackOrThrow(c, first);
                if (!c.isValid(5)) {
                    throw first;
                }
                // A write PostgreSQL refused aborted the transaction: again, each write in a savepoint.
                LOG.debug("Batch of {} failed ({}); applying each write in a savepoint", n, first.getMessage());
                outcome = apply(c, batch, true);
                long commitStart = System.nanoTime();
                c.commit();
                commitNanos = System.nanoTime() - commitStart;
            }
        } catch (SQLException e) {
            failed(batch, PostgresErrors.storageException(couldNotSave(n), where, e));
            discardConnection();
            return;
        }
        committed(batch, outcome.applied(), outcome.results(), outcome.failures(), commitNanos);
    }

    private PostgresBatch.Outcome apply(Connection c, List<Op> batch, boolean savepoints) throws SQLException {
        try (PostgresBatch b = new PostgresBatch(c, earlyEventsPossible())) {
            return b.apply(batch, savepoints, where);
        }
    }

    private static void rollbackOrThrow(Connection c, SQLException failure) throws SQLException {
        try {
            c.rollback();
        } catch (SQLException e) {
            failure.addSuppressed(e);
            throw failure;
        }
    }

    /** Used by {@link PostgresBatch} in savepoint mode: undoes one write, or fails the batch. */
    static void rollbackTo(Connection c, Savepoint savepoint, SQLException failure) throws SQLException {
        try {
            c.rollback(savepoint);
        } catch (SQLException e) {
            failure.addSuppressed(e);
            throw failure;
        }
    }

    @Override
    protected void discardConnection() {
        if (connection != null) {
            connections.discard(connection);
            connection = null;
        }
    }
}
