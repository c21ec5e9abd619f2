package dev.hark.runtime.storage.postgres;

import dev.hark.runtime.storage.StorageException;
import java.sql.SQLException;

/** Turns PostgreSQL's SQLSTATE codes into words a user understands. */
final class PostgresErrors {

    private PostgresErrors() {}

    /** @return the cause of {@code e} in plain words */
    static String describe(SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        if (state.startsWith("08")) {
            return "the connection to PostgreSQL failed";
        }
        if (state.equals("53100")) {
            return "the database server's disk is full";
        }
        if (state.startsWith("53")) {
            return "the database server is out of resources";
        }
        if (state.equals("57P01") || state.equals("57P02") || state.equals("57P03")) {
            return "the database server is shutting down or starting up";
        }
        if (state.equals("25006")) {
            return "the database is read-only (a standby, or default_transaction_read_only)";
        }
        if (state.startsWith("28")) {
            return "the database refused the credentials (" + PostgresSettings.USER_VARIABLE + ", "
                    + PostgresSettings.PASSWORD_VARIABLE + ")";
        }
        if (state.startsWith("42")) {
            return "the database user lacks a privilege or the schema is not Hark's";
        }
        if (state.startsWith("22")) {
            return "a value cannot be stored (too long, or a character PostgreSQL refuses such as NUL)";
        }
        if (state.startsWith("23")) {
            return "the write violates a database constraint";
        }
        if (state.equals("40001") || state.equals("40P01")) {
            return "a conflict with another transaction";
        }
        return "a database error";
    }

    /** @return a {@link StorageException} saying what failed, where, and why */
    static StorageException storageException(String what, String where, SQLException e) {
        String detail = e.getMessage() == null ? "" : " [" + e.getMessage().strip() + "]";
        return new StorageException(what + " " + where + ": " + describe(e) + detail, e);
    }
}
