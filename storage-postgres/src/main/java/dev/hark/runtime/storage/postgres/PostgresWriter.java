package dev.hark.runtime.storage.postgres;

import dev.hark.runtime.storage.NodeLeases.FencedException;
import dev.hark.runtime.storage.StorageException;
import dev.hark.runtime.storage.jdbc.SingleWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
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
 *
 * <p>Every transaction ends with the node's {@link Fence} check before its commit: a batch of a
 * node that lost its lease is rolled back and each of its writes fails with {@link
 * FencedException}, as does every write after it, without touching the database.
 */
final class PostgresWriter extends SingleWriter {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresWriter.class);

    /** Lends the writer a connection, and takes back a broken one. */
    interface Connections {
        Connection connect() throws SQLException;

        void discard(Connection broken);
    }

    /** Whether this node may still write. */
    interface Fence {
        /**
         * The last statement of a write transaction, before its commit.
         *
         * @throws FencedException when the node may write no more: the caller rolls back
         */
        void check(Connection c) throws SQLException;

        /** @return the failure of every write once the node lost its lease, or null while it holds it */
        FencedException lost();
    }

    private final String where;
    private final Connections connections;
    private final Fence fence;
    private final long nodeId;
    private final Duration idleInTransactionTimeout;

    /** Test hooks: run on the writer thread just before and just after a transaction's fence check. */
    private volatile Runnable beforeFence = () -> {};

    private volatile Runnable afterFence = () -> {};

    // Owned by the writer thread.
    private Connection connection;

    /**
     * @param nodeId the node that owns the workflows this writer creates or resumes
     * @param idleInTransactionTimeout how long PostgreSQL lets a transaction of this writer sit idle
     *     (its process paused) before it ends it, freeing the rows it locked for the others
     */
    PostgresWriter(
            String where,
            Connections connections,
            Fence fence,
            long nodeId,
            Duration idleInTransactionTimeout,
            int maxBatch,
            int queueCapacity) {
        super(where, maxBatch, queueCapacity);
        this.where = where;
        this.connections = connections;
        this.fence = fence;
        this.nodeId = nodeId;
        this.idleInTransactionTimeout = idleInTransactionTimeout;
        start();
    }

    private Connection connection() throws SQLException {
        if (connection == null) {
            Connection c = connections.connect();
            try {
                try (Statement s = c.createStatement()) { // a session setting: the writer keeps this connection
                    s.execute("SET idle_in_transaction_session_timeout = " + idleInTransactionTimeout.toMillis());
                }
                c.setAutoCommit(false);
            } catch (SQLException e) {
                connections.discard(c);
                throw e;
            }
            connection = c;
        }
        return connection;
    }

    /** In autocommit mode: a task that writes fences its own transaction (the claim sweep). */
    @Override
    protected Object runTaskAlone(WriterTask<?> task) throws SQLException {
        FencedException lost = fence.lost();
        if (lost != null) {
            throw lost;
        }
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
        FencedException lost = fence.lost();
        if (lost != null) { // fail fast: nothing of it may reach the database
            Throwable[] failures = new Throwable[n];
            Arrays.fill(failures, lost);
            committed(batch, 0, new Object[n], failures, 0);
            return;
        }
        PostgresBatch.Outcome outcome;
        long commitNanos;
        Connection c = null;
        try {
            c = connection();
            try {
                outcome = apply(c, batch, false);
                commitNanos = fenceAndCommit(c);
            } catch (SQLException first) {
                rollbackOrThrow(c, first);
                if (!c.isValid(5)) {
                    throw first;
                }
                // A write PostgreSQL refused aborted the transaction: again, each write in a savepoint.
                LOG.debug("Batch of {} failed ({}); applying each write in a savepoint", n, first.getMessage());
                outcome = apply(c, batch, true);
                commitNanos = fenceAndCommit(c);
            }
        } catch (FencedException e) {
            try {
                if (c != null) {
                    c.rollback();
                }
            } catch (SQLException suppressed) {
                discardConnection();
            }
            failed(batch, e);
            return;
        } catch (SQLException e) {
            failed(batch, PostgresErrors.storageException(couldNotSave(n), where, e));
            discardConnection();
            return;
        }
        committed(batch, outcome.applied(), outcome.results(), outcome.failures(), commitNanos);
    }

    /** @return how long the commit took */
    private long fenceAndCommit(Connection c) throws SQLException {
        beforeFence.run();
        fence.check(c);
        afterFence.run();
        long commitStart = System.nanoTime();
        c.commit();
        return System.nanoTime() - commitStart;
    }

    /** Test hook: {@code hook} runs on the writer thread inside each transaction, just before its fence check. */
    void beforeFence(Runnable hook) {
        this.beforeFence = hook;
    }

    /** Test hook: {@code hook} runs on the writer thread inside each transaction, just after its fence check. */
    void afterFence(Runnable hook) {
        this.afterFence = hook;
    }

    private PostgresBatch.Outcome apply(Connection c, List<Op> batch, boolean savepoints) throws SQLException {
        try (PostgresBatch b = new PostgresBatch(c, nodeId, earlyEventsPossible())) {
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
