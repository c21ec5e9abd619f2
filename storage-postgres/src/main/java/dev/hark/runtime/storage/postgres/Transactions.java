package dev.hark.runtime.storage.postgres;

import java.sql.Connection;
import java.sql.SQLException;

/** One unit of work in a transaction of its own on a connection the caller holds. */
final class Transactions {

    @FunctionalInterface
    interface Work<T> {
        T run() throws SQLException;
    }

    private Transactions() {}

    /**
     * Runs {@code work} in a transaction and commits it; rolls back when it throws (a failed
     * rollback is added to the thrown exception as suppressed). The connection's auto-commit mode
     * is restored either way.
     */
    static <T> T inTransaction(Connection c, Work<T> work) throws SQLException {
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
            T result = work.run();
            c.commit();
            return result;
        } catch (SQLException | RuntimeException e) {
            try {
                c.rollback();
            } catch (SQLException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        } finally {
            c.setAutoCommit(autoCommit);
        }
    }
}
