package dev.hark.runtime.storage.sqlite;

import dev.hark.runtime.storage.BatchObserver;
import dev.hark.runtime.storage.ClaimRecord;
import dev.hark.runtime.storage.DataFolderLock;
import dev.hark.runtime.storage.EarlyEventOutcome;
import dev.hark.runtime.storage.EarlyEventRecord;
import dev.hark.runtime.storage.EventClaim;
import dev.hark.runtime.storage.StorageException;
import dev.hark.runtime.storage.StoreHealth;
import dev.hark.runtime.storage.StoreStats;
import dev.hark.runtime.storage.StoreWrite;
import dev.hark.runtime.storage.StoredWorkflow;
import dev.hark.runtime.storage.TaskRecord;
import dev.hark.runtime.storage.WorkflowRecord;
import dev.hark.runtime.storage.WorkflowStore;
import dev.hark.runtime.storage.WorkflowSummary;
import dev.hark.runtime.storage.jdbc.ClaimSweep;
import dev.hark.runtime.storage.jdbc.EarlyEventRows;
import dev.hark.runtime.storage.jdbc.SingleWriter;
import dev.hark.runtime.storage.jdbc.StoredRows;
import dev.hark.workflow.WorkflowStatus;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;

/**
 * The embedded {@link WorkflowStore}: one SQLite file, {@code hark.db}, in a data folder.
 *
 * <p>Writes go through a single writer thread ({@value dev.hark.runtime.storage.jdbc.SingleWriter#THREAD_NAME}) that
 * applies everything queued in one transaction and commits once; with WAL and
 * {@code synchronous=FULL} the commit is the flush, so concurrent writers share it. Reads use a
 * small pool of read-only connections and run concurrently with the writer. All methods are
 * thread-safe.
 */
public final class SqliteWorkflowStore implements WorkflowStore {

    private static final Logger LOG = LoggerFactory.getLogger(SqliteWorkflowStore.class);

    /** The database file's name inside the data folder. */
    public static final String DB_FILE_NAME = "hark.db";

    static final int DEFAULT_MAX_BATCH = 10_000;
    /**
     * Writes that may wait for the writer at once; one more is refused at once with
     * {@link dev.hark.runtime.storage.StoreBusyException} rather than queued without bound.
     */
    public static final int DEFAULT_QUEUE_CAPACITY = 100_000;

    static final int BUSY_TIMEOUT_MILLIS = 10_000;
    /** Idle read connections kept open; more are opened under load and closed when returned. */
    private static final int MAX_IDLE_READERS = 4;

    /**
     * One query for all workflows of a status with their tasks, ordered by workflow id (a workflow's
     * task rows are adjacent).
     * The id index and the tasks primary key deliver that order, so rows stream without a sort.
     */
    static final String FOR_EACH_WITH_TASKS_SQL = StoredRows.FOR_EACH_WITH_TASKS_SQL;

    /** Claims looked at per sweep transaction: small, so that writes queued meanwhile wait little. */
    static final int SWEEP_CHUNK = 1_000;

    private final Path dbFile;
    private final DataFolderLock lock;
    private final GroupCommitWriter writer;
    private final ConcurrentLinkedDeque<Connection> idleReaders = new ConcurrentLinkedDeque<>();
    private volatile boolean closed;

    private SqliteWorkflowStore(
            Path dbFile,
            DataFolderLock lock,
            Connection writeConnection,
            Connection firstReader,
            int maxBatch,
            int queueCapacity) {
        this.dbFile = dbFile;
        this.lock = lock;
        this.idleReaders.add(firstReader);
        this.writer = new GroupCommitWriter(
                dbFile, writeConnection, () -> openWriteConnection(dbFile), maxBatch, queueCapacity);
    }

    /**
     * Opens the store in {@code dataDir}, creating the folder and the database if missing.
     *
     * @throws StorageException naming the path and the reason when the folder or database cannot
     *     be created, opened or written, or was written by a newer Hark
     * @throws IllegalStateException if another runtime or store (in this JVM or another process)
     *     holds the folder: the store locks it ({@link DataFolderLock}) until closed, unless it is
     *     opened for a {@code Hark} runtime, whose lock it then shares
     */
    public static SqliteWorkflowStore open(Path dataDir) {
        return open(dataDir, DEFAULT_MAX_BATCH);
    }

    /**
     * As {@link #open(Path)}, with at most {@code queueCapacity} writes waiting for the writer
     * ({@link #DEFAULT_QUEUE_CAPACITY} by default); further writes fail at once with
     * {@link dev.hark.runtime.storage.StoreBusyException}.
     */
    public static SqliteWorkflowStore withQueueCapacity(Path dataDir, int queueCapacity) {
        return open(dataDir, DEFAULT_MAX_BATCH, queueCapacity);
    }

    /** As {@link #open(Path)}, with at most {@code maxBatch} writes per transaction. */
    static SqliteWorkflowStore open(Path dataDir, int maxBatch) {
        return open(dataDir, maxBatch, DEFAULT_QUEUE_CAPACITY);
    }

    static SqliteWorkflowStore open(Path dataDir, int maxBatch, int queueCapacity) {
        if (queueCapacity < 1) {
            throw new IllegalArgumentException("queueCapacity must be positive: " + queueCapacity);
        }
        Objects.requireNonNull(dataDir, "dataDir");
        Path dir = dataDir.toAbsolutePath().normalize();
        createFolder(dir);
        Path dbFile = dir.resolve(DB_FILE_NAME);
        DataFolderLock lock = DataFolderLock.forStore(dir);
        Connection writeConnection = null;
        Connection reader = null;
        try {
            writeConnection = openWriteConnection(dbFile);
            SqliteSchema.ensure(writeConnection, dbFile);
            reader = openReadConnection(dbFile);
            boolean earlyEvents;
            try (Statement s = reader.createStatement();
                    ResultSet rs = s.executeQuery("SELECT EXISTS (SELECT 1 FROM early_events)")) {
                earlyEvents = rs.next() && rs.getBoolean(1);
            }
            SqliteWorkflowStore store =
                    new SqliteWorkflowStore(dbFile, lock, writeConnection, reader, maxBatch, queueCapacity);
            store.writer.earlyEventsPossible(earlyEvents);
            LOG.info("Opened workflow store {}", dbFile);
            return store;
        } catch (SQLException e) {
            closeQuietly(reader);
            closeQuietly(writeConnection);
            lock.close();
            throw SqliteErrors.storageException("Cannot open the Hark database", dbFile, e);
        } catch (RuntimeException e) {
            closeQuietly(reader);
            closeQuietly(writeConnection);
            lock.close();
            throw e;
        }
    }

    private static void createFolder(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (FileAlreadyExistsException e) {
            throw new StorageException(
                    "Cannot use data folder " + dir + ": " + e.getFile() + " exists and is not a folder", e);
        } catch (AccessDeniedException e) {
            throw new StorageException("Cannot create data folder " + dir + ": permission denied on " + e.getFile(), e);
        } catch (FileSystemException e) {
            Path blocker = existingNonFolderAncestor(dir);
            if (blocker != null) {
                throw new StorageException(
                        "Cannot create data folder " + dir + ": " + blocker + " exists and is not a folder", e);
            }
            throw new StorageException(
                    "Cannot create data folder " + dir + ": " + (e.getReason() != null ? e.getReason() : e.toString())
                            + " (" + e.getFile() + ")",
                    e);
        } catch (IOException e) {
            throw new StorageException("Cannot create data folder " + dir + ": " + e, e);
        }
    }

    private static Path existingNonFolderAncestor(Path dir) {
        for (Path p = dir; p != null; p = p.getParent()) {
            if (Files.exists(p)) {
                return Files.isDirectory(p) ? null : p;
            }
        }
        return null;
    }

    private static Connection openWriteConnection(Path dbFile) throws SQLException {
        SQLiteConfig config = new SQLiteConfig();
        config.setBusyTimeout(BUSY_TIMEOUT_MILLIS);
        // Nothing reads generated keys. With this on (sqlite-jdbc's default), every INSERT also
        // creates a statement and runs "SELECT last_insert_rowid()": over half the writer thread's
        // CPU when starting workflows in bulk.
        config.setGetGeneratedKeys(false);
        Connection c = config.createConnection("jdbc:sqlite:" + dbFile);
        try (Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("PRAGMA journal_mode = WAL")) {
                String mode = rs.next() ? rs.getString(1) : "?";
                if (!"wal".equalsIgnoreCase(mode)) {
                    LOG.warn(
                            "{}: the file system does not support WAL (journal_mode is {}); "
                                    + "reads will wait for writes",
                            dbFile,
                            mode);
                }
            }
            // Per connection, not stored in the file: a commit returns once it is on disk.
            s.execute("PRAGMA synchronous = FULL");
            // SQLite's default page cache (2 MiB) on purpose: 64 MiB halved the writer's CPU in a
            // burst of 100,000 timers but cost every HTTP event 8 us more of writer CPU
            // (docs/PERFORMANCE.md, "Timers", "Round 2").
            return c;
        } catch (SQLException | RuntimeException e) {
            closeQuietly(c);
            throw e;
        }
    }

    private static Connection openReadConnection(Path dbFile) throws SQLException {
        SQLiteConfig config = new SQLiteConfig();
        config.setBusyTimeout(BUSY_TIMEOUT_MILLIS);
        config.setReadOnly(true);
        return config.createConnection("jdbc:sqlite:" + dbFile);
    }

    // ---------------------------------------------------------------- writes

    @Override
    public CompletableFuture<Void> write(StoreWrite write) {
        return writer.submit(write);
    }

    /**
     * Runs on the writer thread, through the queue: it is a write, so it goes where writes go and
     * is durable when this returns.
     */
    @Override
    public int markRunningResumable() {
        return SingleWriter.join(writer.submit(StoredRows::markRunningResumable, true));
    }

    /**
     * Walks the claims from the oldest ({@code seq} order is time order) in chunks, each chunk one
     * writer task of its own, and stops at the first claim that is young enough to keep.
     */
    @Override
    public CompletableFuture<Integer> sweepClaims(long claimedBeforeMillis) {
        return ClaimSweep.sweep(writer, claimedBeforeMillis, SWEEP_CHUNK, SqliteWorkflowStore::deleteClaims);
    }

    /** A sweep chunk's deletes, in a transaction of their own (the sweep's tasks run alone). */
    private static void deleteClaims(Connection c, List<Long> doomed) throws SQLException {
        try (Statement tx = c.createStatement();
                PreparedStatement delete = c.prepareStatement("DELETE FROM event_claims WHERE seq = ?")) {
            tx.execute("BEGIN IMMEDIATE");
            try {
                for (long seq : doomed) {
                    delete.setLong(1, seq);
                    delete.executeUpdate();
                }
                tx.execute("COMMIT");
            } catch (SQLException e) {
                tx.execute("ROLLBACK");
                throw e;
            }
        }
    }

    @Override
    public CompletableFuture<EarlyEventOutcome> bufferEarlyEvent(EarlyEventRecord event) {
        return SqliteEarlyEvents.ROWS.buffer(writer, event);
    }

    @Override
    public CompletableFuture<EarlyEventOutcome> createWithEarlyEvent(
            StoreWrite.CreateWorkflow create, EarlyEventRecord event) {
        return SqliteEarlyEvents.ROWS.create(writer, create, event);
    }

    @Override
    public List<EarlyEventRecord> earlyEvents() {
        return read("the buffered early events", EarlyEventRows::all);
    }

    @Override
    public CompletableFuture<List<EarlyEventRecord>> dropEarlyEvents(List<EarlyEventRecord> expired) {
        List<EarlyEventRecord> given = List.copyOf(expired);
        return writer.submit(c -> SqliteEarlyEvents.drop(c, given), true);
    }

    /**
     * Test hook: runs {@code task} on the writer thread with the write connection, in queue order,
     * between batches and outside any transaction.
     */
    <T> CompletableFuture<T> onWriter(GroupCommitWriter.WriterTask<T> task) {
        return writer.submit(task, false);
    }

    @Override
    public StoreStats stats() {
        return writer.stats();
    }

    /**
     * {@code VACUUM INTO} on a reader connection: one read transaction, so a snapshot of everything
     * committed when it began, taken without holding up the writer (SqliteBackups).
     */
    @Override
    public CompletableFuture<Void> backupTo(Path target) {
        Connection c;
        try {
            c = borrowReader();
        } catch (StorageException e) {
            return CompletableFuture.failedFuture(e);
        }
        try {
            SqliteBackups.vacuumInto(c, target);
            return CompletableFuture.completedFuture(null);
        } catch (FileAlreadyExistsException | NoSuchFileException e) {
            return CompletableFuture.failedFuture(e);
        } catch (SQLException | IOException e) {
            return CompletableFuture.failedFuture(SqliteBackups.failure(target, e));
        } finally {
            returnReader(c);
        }
    }

    @Override
    public void observeBatches(BatchObserver observer) {
        writer.observeBatches(Objects.requireNonNull(observer, "observer"));
    }

    // ---------------------------------------------------------------- reads

    @FunctionalInterface
    private interface Read<T> {
        T run(Connection c) throws SQLException;
    }

    private <T> T read(String what, Read<T> read) {
        Connection c = borrowReader();
        try {
            return read.run(c);
        } catch (SQLException e) {
            throw SqliteErrors.storageException("Could not read " + what + " from", dbFile, e);
        } finally {
            returnReader(c);
        }
    }

    private Connection borrowReader() {
        if (closed) {
            throw new StorageException("The store is closed (" + dbFile + ")");
        }
        Connection c = idleReaders.pollFirst();
        if (c != null) {
            return c;
        }
        try {
            return openReadConnection(dbFile);
        } catch (SQLException e) {
            throw SqliteErrors.storageException("Cannot open a read connection to", dbFile, e);
        }
    }

    private void returnReader(Connection c) {
        if (closed || idleReaders.size() >= MAX_IDLE_READERS) {
            closeQuietly(c);
            return;
        }
        idleReaders.addFirst(c);
        if (closed) { // close() may have drained the pool just before we returned this one
            closeIdleReaders();
        }
    }

    private void closeIdleReaders() {
        Connection c;
        while ((c = idleReaders.pollFirst()) != null) {
            closeQuietly(c);
        }
    }

    @Override
    public Optional<WorkflowRecord> workflow(String workflowId) {
        Objects.requireNonNull(workflowId, "workflowId");
        return read("workflow '" + workflowId + "'", c -> StoredRows.workflow(c, workflowId));
    }

    @Override
    public Optional<ClaimRecord> claim(EventClaim claim) {
        Objects.requireNonNull(claim, "claim");
        return read("the claim on event '" + claim.eventId() + "'", c -> StoredRows.claim(c, claim));
    }

    @Override
    public List<TaskRecord> tasks(String workflowId) {
        Objects.requireNonNull(workflowId, "workflowId");
        return read("the tasks of workflow '" + workflowId + "'", c -> StoredRows.tasks(c, workflowId));
    }

    @Override
    public StoreHealth health() {
        return closed ? writer.health() : writer.probingHealth();
    }

    @Override
    public List<WorkflowSummary> list(Optional<WorkflowStatus> status, String afterId, int limit) {
        Objects.requireNonNull(status, "status");
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1, was " + limit);
        }
        return read("a page of the workflow list", c -> StoredRows.list(c, status, afterId, limit));
    }

    @Override
    public List<WorkflowSummary> list(Optional<WorkflowStatus> status) {
        Objects.requireNonNull(status, "status");
        return read("the workflow list", c -> StoredRows.list(c, status));
    }

    @Override
    public int count(WorkflowStatus status) {
        Objects.requireNonNull(status, "status");
        return read(status + " workflows", c -> StoredRows.count(c, status));
    }

    /**
     * One query, streamed: each workflow is handed to {@code action} as soon as its last task row
     * is read. The query runs in one read transaction, so the workflows are a consistent snapshot;
     * {@code action} may read and write this store.
     */
    @Override
    public void forEachWithTasks(WorkflowStatus status, Consumer<StoredWorkflow> action) {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(action, "action");
        read(status + " workflows with their tasks", c -> {
            try (PreparedStatement p = c.prepareStatement(FOR_EACH_WITH_TASKS_SQL)) {
                p.setString(1, status.name());
                try (ResultSet rs = p.executeQuery()) {
                    StoredRows.forEachWithTasks(rs, action);
                }
            }
            return null;
        });
    }

    // ---------------------------------------------------------------- lifecycle

    /**
     * Stops accepting writes (later ones fail with "store is closed"), flushes what is queued,
     * stops the writer thread and closes the connections. Idempotent. Called from a write's
     * callback (on the writer thread) it does not wait for the flush.
     */
    @Override
    public void close() {
        writer.close();
        if (!closed) {
            closed = true;
            closeIdleReaders();
            lock.close();
            LOG.info("Closed workflow store {}", dbFile);
        }
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException e) {
                LOG.debug("Ignoring failure to close a connection: {}", e.getMessage());
            }
        }
    }

    @Override
    public String toString() {
        return "SqliteWorkflowStore[" + dbFile + "]";
    }
}
