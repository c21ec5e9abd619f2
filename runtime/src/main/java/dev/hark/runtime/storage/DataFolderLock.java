package dev.hark.runtime.storage;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lock that makes one runtime at a time the owner of a data folder: an OS file lock on
 * {@code hark.lock} in the folder, against other processes, and a JVM-wide registry of the folders
 * (by real path) locked here, against this process.
 *
 * <p>The registry is checked <em>before</em> any channel to the lock file is opened: OS locks
 * belong to the process, and closing <em>any</em> channel to the file drops them, so a second
 * attempt in this JVM that opened and closed its own channel would silently free the folder for
 * another process while the first runtime still runs it.
 *
 * <p>{@code Hark} takes the lock and opens its store inside {@link #lend}; a store that locks its
 * folder itself ({@code SqliteWorkflowStore.open}) calls {@link #forStore}, which hands it that
 * lent lock (closing it then does nothing) or, when the store is opened directly, a lock of its own.
 * So no store opens an unlocked folder, and the lock is never taken twice.
 */
public final class DataFolderLock implements AutoCloseable {

    /** The lock file's name inside the data folder. */
    public static final String LOCK_FILE = "hark.lock";

    private static final Logger LOG = LoggerFactory.getLogger(DataFolderLock.class);
    private static final Map<Path, DataFolderLock> HELD = new ConcurrentHashMap<>();
    private static final ThreadLocal<DataFolderLock> LENT = new ThreadLocal<>();

    private final Path folder;
    private final FileChannel channel;
    private final FileLock lock;
    private final boolean owner;
    private boolean closed;

    private DataFolderLock(Path folder, FileChannel channel, FileLock lock, boolean owner) {
        this.folder = folder;
        this.channel = channel;
        this.lock = lock;
        this.owner = owner;
    }

    /**
     * Locks {@code dataDir} (created if missing) for this runtime.
     *
     * @throws IllegalStateException if a runtime in this JVM or another process holds it
     * @throws StorageException if the folder or its lock file cannot be created or locked
     */
    public static DataFolderLock acquire(Path dataDir) {
        Path folder = realFolder(dataDir);
        // A placeholder claims the folder in this JVM before any channel to the lock file exists.
        DataFolderLock claim = new DataFolderLock(folder, null, null, false);
        if (HELD.putIfAbsent(folder, claim) != null) {
            throw inUse(folder, "by a runtime in this JVM");
        }
        FileChannel channel = null;
        try {
            channel = FileChannel.open(folder.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null; // cannot happen while the registry holds the folder; refuse all the same
            }
            if (lock == null) {
                throw inUse(folder, "by another process");
            }
            DataFolderLock acquired = new DataFolderLock(folder, channel, lock, true);
            HELD.replace(folder, claim, acquired);
            return acquired;
        } catch (IOException e) {
            closeQuietly(channel);
            HELD.remove(folder, claim);
            throw new StorageException("Cannot lock data folder " + folder + ": " + e, e);
        } catch (RuntimeException e) {
            // Nothing in this JVM holds the file's OS lock, so closing this channel frees nothing.
            closeQuietly(channel);
            HELD.remove(folder, claim);
            throw e;
        }
    }

    /**
     * The lock a store opening {@code dataDir} holds while open: the lock {@link #lend lent} to this
     * thread if it is {@code dataDir}'s (closing what this returns then does nothing: the lender
     * owns it), else a new lock of its own, as by {@link #acquire}.
     */
    public static DataFolderLock forStore(Path dataDir) {
        DataFolderLock lent = LENT.get();
        if (lent != null && lent.folder.equals(realFolder(dataDir))) {
            LENT.remove(); // lent once: a second store on the folder is refused
            return new DataFolderLock(lent.folder, null, null, false);
        }
        return acquire(dataDir);
    }

    /**
     * Runs {@code opener} (which opens the store over this lock's folder) on this thread with this
     * lock lent to it: the first store it opens on this folder uses this lock instead of taking it.
     */
    public <T> T lend(Supplier<T> opener) {
        DataFolderLock previous = LENT.get();
        LENT.set(this);
        try {
            return opener.get();
        } finally {
            if (previous == null) {
                LENT.remove();
            } else {
                LENT.set(previous);
            }
        }
    }

    /** @return the folder's real path */
    public Path folder() {
        return folder;
    }

    /** Releases the lock (if this handle owns it). Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (!owner) {
            return;
        }
        try {
            lock.release();
        } catch (IOException | RuntimeException e) {
            LOG.debug("releasing the lock of {} failed", folder, e);
        }
        closeQuietly(channel);
        HELD.remove(folder, this);
    }

    private static Path realFolder(Path dataDir) {
        Path dir = dataDir.toAbsolutePath().normalize();
        try {
            Files.createDirectories(dir);
            return dir.toRealPath();
        } catch (IOException e) {
            throw new StorageException("Cannot use data folder " + dir + ": " + e, e);
        }
    }

    private static IllegalStateException inUse(Path folder, String how) {
        return new IllegalStateException("data folder " + folder + " is in use by another Hark runtime (" + how
                + "); one runtime at a time may open a data folder");
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing more to release
            }
        }
    }
}
