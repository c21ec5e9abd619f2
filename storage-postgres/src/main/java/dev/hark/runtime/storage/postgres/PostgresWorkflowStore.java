package dev.hark.runtime.storage.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.hark.runtime.storage.BatchObserver;
import dev.hark.runtime.storage.ClaimRecord;
import dev.hark.runtime.storage.EarlyEventOutcome;
import dev.hark.runtime.storage.EarlyEventRecord;
import dev.hark.runtime.storage.EventClaim;
import dev.hark.runtime.storage.NodeLeases;
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
import dev.hark.runtime.storage.jdbc.StoredRows;
import dev.hark.workflow.WorkflowStatus;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link WorkflowStore} on PostgreSQL.
 *
 * <p>Opening it applies the schema's pending migrations ({@link PostgresSchema}) and joins the
 * database as a new node ({@link PostgresNode}, the store's {@link #nodeLeases()}): several nodes
 * share one database, each running workflows is owned by one of them, and every write transaction
 * ends with a check of the node's lease (the fence), so a node that lost it writes nothing. Writes go
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
    /** Claims looked at per sweep statement: small, so that writes queued meanwhile wait little. */
    static final int SWEEP_CHUNK = 1_000;
    /** As {@link StoredRows#FOR_EACH_WITH_TASKS_SQL}, for the workflows of the given ids. */
    private static final String FOR_EACH_OF_IDS_SQL = "SELECT " + StoredRows.WORKFLOW_COLUMNS
            + ", t.task_id, t.state, t.output FROM workflows w LEFT JOIN tasks t ON t.workflow_id = w.id"
            + " WHERE w.id = ANY (?) ORDER BY w.id";
    /** Rows fetched per round trip when streaming workflows to resume. */
    private static final int FETCH_SIZE = 500;

    private static final int POOL_SIZE = 8;

    private final String where;
    private final HikariDataSource pool;
    private final PostgresNode node;
    private final PostgresWriter writer;
    private volatile boolean closed;

    private PostgresWorkflowStore(
            String where, HikariDataSource pool, PostgresNode node, int maxBatch, int queueCapacity) {
        this.where = where;
        this.pool = pool;
        this.node = node;
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
                node,
                node.id(),
                node.lease(),
                maxBatch,
                queueCapacity);
    }

    /**
     * Connects, brings the schema up to date and joins as a new node with the {@linkplain
     * NodeSettings#defaults() default name and lease}.
     *
     * @throws StorageException naming the database and the reason when it cannot be reached, the
     *     credentials are refused, or its schema was written by a newer Hark
     * @throws IllegalStateException when a node of an older Hark, which runs alone, uses the database
     */
    public static PostgresWorkflowStore open(PostgresSettings settings) {
        return open(settings, DEFAULT_QUEUE_CAPACITY);
    }

    /** As {@link #open(PostgresSettings)}, with at most {@code queueCapacity} writes waiting for the writer. */
    public static PostgresWorkflowStore open(PostgresSettings settings, int queueCapacity) {
        return open(settings, queueCapacity, NodeSettings.defaults());
    }

    /** As {@link #open(PostgresSettings, int)}, as the node {@code node} names, with its lease. */
    public static PostgresWorkflowStore open(PostgresSettings settings, int queueCapacity, NodeSettings node) {
        return open(settings, DEFAULT_MAX_BATCH, queueCapacity, node);
    }

    static PostgresWorkflowStore open(PostgresSettings settings, int maxBatch, int queueCapacity, NodeSettings node) {
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(node, "node");
        if (queueCapacity < 1) {
            throw new IllegalArgumentException("queueCapacity must be positive: " + queueCapacity);
        }
        String where = settings.jdbcUrl();
        HikariDataSource pool = pool(settings);
        Connection session = null;
        try {
            session = session(settings);
            // Before the schema is touched: a node of an older Hark would not understand the new one.
            PostgresNode.refuseSingleNodeHark(session, where);
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
            PostgresNode self = PostgresNode.register(where, node, pool, session);
            PostgresWorkflowStore store;
            try {
                store = new PostgresWorkflowStore(where, pool, self, maxBatch, queueCapacity);
            } catch (RuntimeException e) {
                self.close();
                throw e;
            }
            store.writer.earlyEventsPossible(earlyEvents);
            LOG.info("Opened workflow store {} as {}", settings, self);
            return store;
        } catch (SQLException e) {
            closeQuietly(session);
            pool.close();
            throw PostgresErrors.storageException("Cannot open the Hark database", where, e);
        } catch (RuntimeException e) {
            closeQuietly(session);
            pool.close();
            throw e;
        }
    }

    /** The node's own session, outside the pool (which would retire it): see {@link PostgresNode}. */
    private static Connection session(PostgresSettings settings) throws SQLException {
        Properties properties = new Properties();
        if (settings.user() != null) {
            properties.setProperty("user", settings.user());
        }
        if (settings.password() != null) {
            properties.setProperty("password", settings.password());
        }
        properties.setProperty("ApplicationName", "hark node");
        properties.setProperty("tcpKeepAlive", "true");
        return DriverManager.getConnection(settings.jdbcUrl(), properties);
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

    private static void closeQuietly(Connection session) {
        if (session != null) {
            try {
                session.close();
            } catch (SQLException e) {
                LOG.debug("Ignoring failure to close the node's session: {}", e.getMessage());
            }
        }
    }

    // ---------------------------------------------------------------- writes

    @Override
    public CompletableFuture<Void> write(StoreWrite write) {
        return writer.submit(write);
    }

    /**
     * Marks nothing: a node that opens the store is a new node, which owns no workflow yet. The
     * running workflows of a node that is gone, this process's previous run among them, are taken
     * over with {@link NodeLeases#takeOver()}.
     *
     * @return 0
     */
    @Override
    public int markRunningResumable() {
        if (closed) {
            throw new StorageException("The store is closed (" + where + ")");
        }
        return 0;
    }

    /**
     * Walks the claims from the oldest in chunks, each chunk one writer task of its own (one
     * statement, in autocommit), and stops at the first claim young enough to keep.
     */
    @Override
    public CompletableFuture<Integer> sweepClaims(long claimedBeforeMillis) {
        return ClaimSweep.sweep(writer, claimedBeforeMillis, SWEEP_CHUNK, this::deleteClaims);
    }

    /** A sweep chunk's deletes: one statement in a transaction of its own, fenced (the sweep's tasks run alone). */
    private void deleteClaims(Connection c, List<Long> doomed) throws SQLException {
        Transactions.inTransaction(c, () -> {
            try (PreparedStatement delete = c.prepareStatement("DELETE FROM event_claims WHERE seq = ANY (?)")) {
                Array seqs = c.createArrayOf("bigint", doomed.toArray());
                delete.setArray(1, seqs);
                delete.executeUpdate();
            }
            node.check(c);
            return null;
        });
    }

    @Override
    public CompletableFuture<EarlyEventOutcome> bufferEarlyEvent(EarlyEventRecord event) {
        return PostgresEarlyEvents.ROWS.buffer(writer, event);
    }

    @Override
    public CompletableFuture<EarlyEventOutcome> createWithEarlyEvent(
            StoreWrite.CreateWorkflow create, EarlyEventRecord event) {
        return PostgresEarlyEvents.create(writer, node.id(), create, event);
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
        NodeLeases.FencedException lost = node.lost();
        if (lost != null && !closed) {
            return StoreHealth.failing(lost.getMessage());
        }
        return closed ? writer.health() : writer.probingHealth();
    }

    /** Several nodes share a PostgreSQL database: this one's lease, and the takeover of the others'. */
    @Override
    public Optional<NodeLeases> nodeLeases() {
        return Optional.of(node);
    }

    /** Test hook: this node's lease. */
    PostgresNode node() {
        return node;
    }

    /** Test hook: the writer, to hold a transaction around its fence check. */
    PostgresWriter writer() {
        return writer;
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

    /** As {@link #forEachWithTasks(WorkflowStatus, Consumer)}, over the given ids: one query. */
    @Override
    public void forEachWithTasks(Collection<String> workflowIds, Consumer<StoredWorkflow> action) {
        Objects.requireNonNull(workflowIds, "workflowIds");
        Objects.requireNonNull(action, "action");
        if (workflowIds.isEmpty()) {
            return;
        }
        String[] ids = workflowIds.toArray(String[]::new);
        read(ids.length + " workflows with their tasks", c -> {
            c.setAutoCommit(false); // the driver streams with a cursor only inside a transaction
            try (PreparedStatement p = c.prepareStatement(FOR_EACH_OF_IDS_SQL)) {
                p.setFetchSize(FETCH_SIZE);
                p.setArray(1, c.createArrayOf("text", ids));
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
     * stops the writer, then fences this node so that the others take its running workflows over
     * at once, ends its session and closes the pool. Idempotent. Called from a writer task it does
     * not wait for the flush, and the writes still queued then fail: the node is fenced.
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
        node.close();
        pool.close();
        LOG.info("Closed workflow store {}", where);
    }

    @Override
    public String toString() {
        return "PostgresWorkflowStore[" + where + "]";
    }
}
