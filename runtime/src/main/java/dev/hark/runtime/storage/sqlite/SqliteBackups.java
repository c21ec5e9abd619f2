package dev.hark.runtime.storage.sqlite;

import dev.hark.runtime.storage.DataFolderLock;
import dev.hark.runtime.storage.StorageException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.sqlite.SQLiteConfig;

/**
 * Backups of the embedded store: a backup is one self-contained SQLite file (no {@code -wal} beside
 * it) written by {@code VACUUM INTO} from one read transaction, so it is a consistent snapshot of
 * everything committed when it began, taken while the store serves. Restoring puts such a file in
 * place as the {@code hark.db} of a data folder no runtime holds.
 */
public final class SqliteBackups {

    private SqliteBackups() {}

    /**
     * Writes the snapshot {@code connection} reads to {@code target}, then flushes it and its folder
     * to disk. A failed backup leaves no file behind.
     *
     * @throws FileAlreadyExistsException if {@code target} exists
     * @throws NoSuchFileException if its folder does not exist
     */
    static void vacuumInto(Connection connection, Path target) throws SQLException, IOException {
        Path file = target.toAbsolutePath().normalize();
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new FileAlreadyExistsException(file.toString(), null, "the backup never overwrites a file");
        }
        Path folder = file.getParent();
        if (folder == null || !Files.isDirectory(folder)) {
            throw new NoSuchFileException(String.valueOf(folder), null, "the backup's folder does not exist");
        }
        boolean done = false;
        try {
            try (var vacuum = connection.prepareStatement("VACUUM INTO ?")) {
                vacuum.setString(1, file.toString());
                vacuum.execute();
            }
            // VACUUM INTO does not sync what it wrote: the backup is durable once this returns.
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            syncFolder(folder);
            done = true;
        } finally {
            if (!done) {
                Files.deleteIfExists(file);
            }
        }
    }

    /**
     * Puts a backup in place as the store of {@code dataDir}, creating the folder if needed.
     *
     * @throws IllegalStateException if a runtime holds the folder
     * @throws IllegalArgumentException if the folder has a store already, or {@code backup} is not a
     *     readable Hark store
     */
    public static void restore(Path backup, Path dataDir) throws IOException {
        requireHarkStore(backup);
        try (DataFolderLock lock = DataFolderLock.acquire(dataDir)) {
            Path db = dataDir.resolve(SqliteWorkflowStore.DB_FILE_NAME);
            for (String suffix : new String[] {"", "-wal", "-shm", "-journal"}) {
                Path existing = dataDir.resolve(SqliteWorkflowStore.DB_FILE_NAME + suffix);
                if (Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
                    throw new IllegalArgumentException("data folder " + dataDir + " already has a store ("
                            + existing.getFileName() + "); restore into a new folder, or move the old one away first");
                }
            }
            Path partial = dataDir.resolve(SqliteWorkflowStore.DB_FILE_NAME + ".restoring");
            Files.copy(backup, partial, StandardCopyOption.REPLACE_EXISTING);
            try (FileChannel channel = FileChannel.open(partial, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            Files.move(partial, db, StandardCopyOption.ATOMIC_MOVE);
            syncFolder(dataDir);
        }
    }

    /** @throws IllegalArgumentException unless {@code file} is an intact SQLite database with Hark's tables */
    static void requireHarkStore(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("no backup file at " + file);
        }
        SQLiteConfig config = new SQLiteConfig();
        config.setReadOnly(true);
        try (Connection c = config.createConnection("jdbc:sqlite:" + file.toAbsolutePath());
                Statement s = c.createStatement()) {
            try (ResultSet check = s.executeQuery("PRAGMA quick_check")) {
                String result = check.next() ? check.getString(1) : "no answer";
                if (!"ok".equals(result)) {
                    throw new IllegalArgumentException(file + " is damaged: " + result);
                }
            }
            try (ResultSet tables = s.executeQuery(
                    "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('workflows', 'tasks')")) {
                if (!tables.next() || tables.getInt(1) != 2) {
                    throw new IllegalArgumentException(file + " is an SQLite database but not a Hark store");
                }
            }
        } catch (SQLException e) {
            throw new IllegalArgumentException(file + " is not a Hark backup (" + e.getMessage() + ")", e);
        }
    }

    private static void syncFolder(Path folder) {
        try (FileChannel channel = FileChannel.open(folder, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // Not every platform can open a folder to sync it; the file itself is synced.
        }
    }

    static StorageException failure(Path target, Exception e) {
        return new StorageException("Could not back up the store to " + target + ": " + e.getMessage(), e);
    }
}
