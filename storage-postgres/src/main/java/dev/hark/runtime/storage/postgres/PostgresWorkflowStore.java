package dev.hark.runtime.storage.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.hark.runtime.storage.BatchObserver;
import dev.hark.runtime.storage.ClaimRecord;
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
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link WorkflowStore} on PostgreSQL.
 *
 * <p>Opening it applies the schema's pending migrations ({@link PostgresSchema}) and takes Hark's
 * node lock ({@link NodeLock}): one node per database until workflows have leases. Writes go
 * through a single writer thread ({@value dev.hark.runtime.storage.jdbc.SingleWriter#THREAD_NAME}) that applies everything
 * queued in one transaction and commits once, so concurrent writers share one commit and its WAL
 * flush. Reads use a HikariCP pool and run concurrently with the writer. All methods are
 * thread-safe.
 */
public final class PostgresWorkflowStore implements WorkflowStore {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresWorkflowStore.class);

    static final int DEFAULT_MAX_BATCH = 10_000;
    /** As the SQLite store's: writes that may wait for the writer before new work is refused. */
    public static final int DEFAULT_QUEUE_CAPACITY = 100_000;
    /** How long an opening node waits for a node going away to release the node lock. */
    static final Duration NODE_LOCK_PATIENCE = Duration.ofSeconds(5);
    /** Claims looked at per sweep statement: small, so that writes queued meanwhile wait little. */
    static final int SWEEP_CHUNK = 1_000;
    /** Rows fetched per round trip when streaming workflows to resume. */
    private static final int FETCH_SIZE = 500;

    private static final int POOL_SIZE = 8;

    private final String where;
    private final HikariDataSource pool;
    private final NodeLock nodeLock;
    private final PostgresWriter writer;
    private volatile boolean closed;

    private PostgresWorkflowStore(
            String where, HikariDataSource pool, NodeLock nodeLock, int maxBatch, int queueCapacity) {
        this.where = where;
        this.pool = pool;
        this.nodeLock = nodeLock;
        this.writer = new PostgresWriter(
                where,
                new PostgresWriter.Connections() {
                    @Override
                    public Connection connect() throws SQLException {
                        return pool.getConnection();
                    }

                    @Override
                    public void discard(Connection broken) {
                        pool.evictConnection(broken);
                    }
                },
                maxBatch,
                queueCapacity);
    }

    /**
     * Connects, brings the schema up to date and takes the node lock.
     *
     * @throws StorageException naming the database and the reason when it cannot be reached, the
     *     credentials are refused, or its schema was written by a newer Hark
     * @throws IllegalStateException when another Hark node uses the database
     */
    public static PostgresWorkflowStore open(PostgresSettings settings) {
        return open(settings, DEFAULT_QUEUE_CAPACITY);
    }

    /** As {@link #open(PostgresSettings)}, with at most {@code queueCapacity} writes waiting for the writer. */
    public static PostgresWorkflowStore open(PostgresSettings settings, int queueCapacity) {
        return open(settings, DEFAULT_MAX_BATCH, queueCapacity, NODE_LOCK_PATIENCE);
    }

    static PostgresWorkflowStore open(
            PostgresSettings settings, int maxBatch, int queueCapacity, Duration nodeLockPatience) {
        Objects.requireNonNull(settings, "settings");
        if (queueCapacity < 1) {
            throw new IllegalArgumentException("queueCapacity must be positive: " + queueCapacity);
        }
        String where = settings.jdbcUrl();
        HikariDataSource pool = pool(settings);
        NodeLock lock = null;
        try {
            // The lock first: a second node (maybe a newer Hark) must be refused before it touches the schema.
            lock = NodeLock.acquire(settings, nodeLockPatience);
            boolean earlyEvents;
            try (Connection c = pool.getConnection()) {
                int applied = PostgresSchema.migrate(c, where);
                if (applied > 0) {
                    LOG.info("Applied {} schema migration(s) to {}", applied, where);
                }
                try (Statement s = c.createStatement();
                        ResultSet rs = s.executeQuery("SELECT EXISTS (SELECT 1 FROM early_events)")) {
                    earlyEvents = rs.next() && rs.getBoolean(1);
                }
            }
            PostgresWorkflowStore store = new PostgresWorkflowStore(where, pool, lock, maxBatch, queueCapacity);
            store.writer.earlyEventsPossible(earlyEvents);
            LOG.info("Opened workflow store {}", settings);
            return store;
        } catch (SQLException e) {
            closeQuietly(lock);
            pool.close();
            throw PostgresErrors.storageException("Cannot open the Hark database", where, e);
        } catch (RuntimeException e) {
            closeQuietly(lock);
            pool.close();
            throw e;
        }
    }

    private static HikariDataSource pool(PostgresSettings settings) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(settings.jdbcUrl());
        config.setUsername(settings.user());
        config.setPassword(settings.password());
        config.setPoolName("hark-postgres");
        config.setMaximumPoolSize(POOL_SIZE);
        config.setMinimumIdle(2);
        config.setConnectionTimeout(TimeUnit.SECONDS.toMillis(10));
        config.addDataSourceProperty("ApplicationName", "hark");
        config.addDataSourceProperty("tcpKeepAlive", "true");
        try {
            return new HikariDataSource(config);
        } catch (RuntimeException e) { // Hikari's PoolInitializationException: unreachable, refused, unknown database
            Throwable cause = e.getCause() == null ? e : e.getCause();
            if (cause instanceof SQLException sql) {
                throw PostgresErrors.storageException("Cannot connect to", settings.toString(), sql);
            }
            throw new StorageException("Cannot connect to " + settings + ": " + cause.getMessage(), e);
        }
    }

    private static void closeQuietly(NodeLock lock) {
        if (lock != null) {
            lock.close();
        }
    }

    // ---------------------------------------------------------------- writes

    @Override
    public CompletableFuture<Void> write(StoreWrite write) {
        return writer.submit(write);
    }

    /** Through the writer's queue, like every write: durable when this returns. */
    @Override
    public int markRunningResumable() {
        return SingleWriter.join(writer.submit(StoredRows::markRunningResumable, true));
    }

    /**
     * Walks the claims from the oldest in chunks, each chunk one writer task of its own (one
     * statement, in autocommit), and stops at the first claim young enough to keep.
     */
    @Override
    public CompletableFuture<Integer> sweepClaims(long claimedBeforeMillis) {
        return ClaimSweep.sweep(writer, claimedBeforeMillis, SWEEP_CHUNK, PostgresWorkflowStore::deleteClaims);
    }

    /** A sweep chunk's deletes: one statement, in autocommit (the sweep's tasks run alone). */
    private static void deleteClaims(Connection c, List<Long> doomed) throws SQLException {
        try (PreparedStatement delete = c.prepareStatement("DELETE FROM event_claims WHERE seq = ANY (?)")) {
            Array seqs = c.createArrayOf("bigint", doomed.toArray());
            delete.setArray(1, seqs);
            delete.executeUpdate();
        }
    }

    @Override
    public CompletableFuture<EarlyEventOutcome> bufferEarlyEvent(EarlyEventRecord event) {
        return PostgresEarlyEvents.ROWS.buffer(writer, event);
    }

    @Override
    public CompletableFuture<EarlyEventOutcome> createWithEarlyEvent(
            StoreWrite.CreateWorkflow create, EarlyEventRecord event) {
        return PostgresEarlyEvents.ROWS.create(writer, create, event);
    }

    @Override
    public List<EarlyEventRecord> earlyEvents() {
        return read("the buffered early events", EarlyEventRows::all);
    }

    @Override
    public CompletableFuture<List<EarlyEventRecord>> dropEarlyEvents(List<EarlyEventRecord> expired) {
        List<EarlyEventRecord> given = List.copyOf(expired);
        return writer.submit(c -> PostgresEarlyEvents.drop(c, given), true);
    }

    /**
     * Test hook: runs {@code task} on the writer thread with the write connection, in queue order,
     * between batches, in autocommit mode.
     */
    <T> CompletableFuture<T> onWriter(PostgresWriter.WriterTask<T> task) {
        return writer.submit(task, false);
    }

    @Override
    public void observeBatches(BatchObserver observer) {
        writer.observeBatches(observer);
    }

    @Override
    public StoreStats stats() {
        return writer.stats();
    }

    @Override
    public StoreHealth health() {
        return closed ? writer.health() : writer.probingHealth();
    }

    // ---------------------------------------------------------------- reads

    @FunctionalInterface
    private interface Read<T> {
        T run(Connection c) throws SQLException;
    }

    private <T> T read(String what, Read<T> read) {
        if (closed) {
            throw new StorageException("The store is closed (" + where + ")");
        }
        try (Connection c = pool.getConnection()) {
            return read.run(c);
        } catch (SQLException e) {
            throw PostgresErrors.storageException("Could not read " + what + " from", where, e);
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
     * One query, streamed through a cursor ({@value #FETCH_SIZE} rows per round trip): each
     * workflow is handed to {@code action} as soon as its last task row is read. The query runs in
     * one read transaction, so the workflows are a consistent snapshot; {@code action} may read and
     * write this store.
     */
    @Override
    public void forEachWithTasks(WorkflowStatus status, Consumer<StoredWorkflow> action) {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(action, "action");
        read(status + " workflows with their tasks", c -> {
            c.setAutoCommit(false); // the driver streams with a cursor only inside a transaction
            try (PreparedStatement p = c.prepareStatement(StoredRows.FOR_EACH_WITH_TASKS_SQL)) {
                p.setFetchSize(FETCH_SIZE);
                p.setString(1, status.name());
                try (ResultSet rs = p.executeQuery()) {
                    StoredRows.forEachWithTasks(rs, action);
                }
            } finally {
                c.rollback(); // read only
                c.setAutoCommit(true);
            }
            return null;
        });
    }

    // ---------------------------------------------------------------- lifecycle

    /**
     * Stops accepting writes (later ones fail with "store is closed"), flushes what is queued,
     * stops the writer, closes the pool and releases the node lock. Idempotent. Called from a
     * write's callback it does not wait for the flush.
     */
    @Override
    public void close() {
        writer.close();
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        pool.close();
        nodeLock.close();
        LOG.info("Closed workflow store {}", where);
    }

    @Override
    public String toString() {
        return "PostgresWorkflowStore[" + where + "]";
    }
}
