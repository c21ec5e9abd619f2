package dev.hark.runtime.storage.sqlite;

import dev.hark.runtime.storage.StorageException;
import java.nio.file.Path;
import java.sql.SQLException;
import org.sqlite.SQLiteException;

/** Turns SQLite result codes into words a user understands. */
final class SqliteErrors {

    // Primary result codes (https://www.sqlite.org/rescode.html); extended codes keep them in the
    // low byte.
    static final int SQLITE_PERM = 3;
    static final int SQLITE_BUSY = 5;
    static final int SQLITE_LOCKED = 6;
    static final int SQLITE_NOMEM = 7;
    static final int SQLITE_READONLY = 8;
    static final int SQLITE_IOERR = 10;
    static final int SQLITE_CORRUPT = 11;
    static final int SQLITE_FULL = 13;
    static final int SQLITE_CANTOPEN = 14;
    static final int SQLITE_TOOBIG = 18;
    static final int SQLITE_CONSTRAINT = 19;
    static final int SQLITE_MISMATCH = 20;
    static final int SQLITE_RANGE = 25;
    static final int SQLITE_NOTADB = 26;

    private SqliteErrors() {}

    /** @return the primary SQLite result code of {@code e}, or -1 if it carries none */
    static int primaryCode(SQLException e) {
        int code = e instanceof SQLiteException se ? se.getResultCode().code : e.getErrorCode();
        return code <= 0 ? -1 : code & 0xFF;
    }

    /**
     * @return whether the failure concerns only the statement that raised it, so that the rest of
     *     the transaction is intact (SQLite rolls back just that statement)
     */
    static boolean isStatementLocal(SQLException e) {
        int code = primaryCode(e);
        return code == SQLITE_CONSTRAINT || code == SQLITE_TOOBIG || code == SQLITE_MISMATCH || code == SQLITE_RANGE;
    }

    /** @return the cause of {@code e} in plain words */
    static String describe(SQLException e) {
        return switch (primaryCode(e)) {
            case SQLITE_FULL -> "the disk is full (or the database reached its size limit)";
            case SQLITE_READONLY -> "the data folder is read-only";
            case SQLITE_IOERR -> "an I/O error on the storage medium";
            case SQLITE_CORRUPT -> "the database file is corrupt";
            case SQLITE_NOTADB -> "the file is not a Hark database (not SQLite, or encrypted)";
            case SQLITE_CANTOPEN -> "the database file cannot be opened (missing folder or no permission)";
            case SQLITE_PERM -> "permission denied";
            case SQLITE_BUSY, SQLITE_LOCKED -> "the database is locked by another process";
            case SQLITE_NOMEM -> "SQLite ran out of memory";
            case SQLITE_CONSTRAINT -> "the write violates a database constraint";
            case SQLITE_TOOBIG -> "a value is too large to store";
            default -> "a database error";
        };
    }

    /** @return a {@link StorageException} saying what failed, where, and why */
    static StorageException storageException(String what, Path file, SQLException e) {
        String detail = e.getMessage() == null ? "" : " [" + e.getMessage().strip() + "]";
        return new StorageException(what + " " + file + ": " + describe(e) + detail, e);
    }
}
