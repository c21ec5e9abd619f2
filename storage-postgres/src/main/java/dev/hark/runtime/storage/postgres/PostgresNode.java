package dev.hark.runtime.storage.postgres;

import dev.hark.runtime.concurrent.DaemonThreads;
import dev.hark.runtime.storage.NodeLeases;
import dev.hark.workflow.WorkflowStatus;
import java.net.URI;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This opening of the store as one node among those that share the database: its row in {@code
 * hark_nodes} (the lease), the session that proves its process alive, the renewal, the fence every
 * write transaction ends with, and the takeover of gone nodes' workflows.
 *
 * <p>The session is a connection of its own (the pool would retire it) that holds the session
 * advisory lock {@code (}{@value #LOCK_CLASS}{@code , id)} for the node's life: when the process
 * dies the server sees its socket close, ends the session and frees the lock, so the others know at
 * once; a node that is merely paused keeps its session, and the others wait for its lease to
 * expire. The lease is renewed on that session too, so a node whose session ended stops: the others
 * may already have taken its workflows.
 */
final class PostgresNode implements NodeLeases, PostgresWriter.Fence, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresNode.class);

    /** First key of every node's session lock: "hark" in ASCII. The second is the node's id. */
    static final int LOCK_CLASS = 0x6861_726B;
    /** The single-node lock of Hark before version 2 of the schema, which such a node holds while it runs. */
    static final long SINGLE_NODE_LOCK = 0x6861_726BL << 32 | 2;

    static final String LEASE_THREAD_NAME = "hark-lease";

    /** The last statement of every write transaction; FOR SHARE serialises it with a fencing UPDATE. */
    static final String FENCE_SQL = "SELECT 1 FROM hark_nodes WHERE id = ? AND fenced_at IS NULL"
            + " AND expires_at > clock_timestamp() FOR SHARE";

    private static final String RENEW_SQL = "UPDATE hark_nodes SET expires_at = clock_timestamp() + ? * interval '1 ms'"
            + " WHERE id = ? AND fenced_at IS NULL AND expires_at > clock_timestamp()";
    private static final String RUNNING = "('" + WorkflowStatus.RUNNING + "', '" + WorkflowStatus.RESUMABLE + "')";
    /** Fenced nodes that still own running workflows; a row with a null id stands for the unowned ones. */
    private static final String ORPHANED_SQL = "SELECT n.id, n.name FROM hark_nodes n WHERE n.fenced_at IS NOT NULL"
            + " AND EXISTS (SELECT 1 FROM workflows w WHERE w.owner = n.id AND w.status IN " + RUNNING + ")"
            + " UNION ALL SELECT NULL, 'none (a database of an older Hark)' WHERE EXISTS"
            + " (SELECT 1 FROM workflows w WHERE w.owner IS NULL AND w.status IN " + RUNNING + ")";

    private final String where;
    private final long id;
    private final String name;
    private final Duration lease;
    private final DataSource pool;
    /** The node's session: holds the lock; renewals and the clean close's fence run on it. Guarded by itself. */
    private final Connection session;

    private final ScheduledExecutorService leaseThread;
    private final ScheduledFuture<?> renewal;
    private final AtomicBoolean onLostCalled = new AtomicBoolean();
    private final Object takeOverLock = new Object();

    /** Why this node may no longer write, or null while it holds its lease. */
    private volatile String lostReason;

    private volatile Optional<URI> address = Optional.empty();
    private Runnable onLost; // guarded by this
    private boolean joined; // guarded by this
    private volatile boolean closed;

    private PostgresNode(String where, long id, NodeSettings settings, DataSource pool, Connection session) {
        this.where = where;
        this.id = id;
        this.name = settings.name();
        this.lease = settings.lease();
        this.pool = pool;
        this.session = session;
        this.leaseThread = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named(LEASE_THREAD_NAME));
        long period = Math.max(1, lease.toMillis() / 3);
        this.renewal = leaseThread.scheduleWithFixedDelay(this::renew, period, period, TimeUnit.MILLISECONDS);
    }

    /**
     * Refuses a database that a node of an older Hark (one node per database) is using: it would
     * run workflows no lease fences. Call before migrating, on the session.
     *
     * @throws IllegalStateException when such a node holds its lock
     */
    static void refuseSingleNodeHark(Connection session, String where) throws SQLException {
        try (Statement s = session.createStatement();
                ResultSet rs = s.executeQuery("SELECT pg_try_advisory_lock(" + SINGLE_NODE_LOCK + ")")) {
            rs.next();
            if (!rs.getBoolean(1)) {
                throw new IllegalStateException(
                        "a Hark node of an older version, which runs alone, is using the database " + where
                                + " (it holds the single-node lock); stop it before starting nodes of this version");
            }
        }
        try (Statement s = session.createStatement()) {
            s.execute("SELECT pg_advisory_unlock(" + SINGLE_NODE_LOCK + ")");
        }
    }

    /**
     * Inserts this node's row and takes its session lock in one transaction, so that no other node
     * ever sees the row without the lock held (it would take the node for dead), then starts renewing.
     */
    static PostgresNode register(String where, NodeSettings settings, DataSource pool, Connection session)
            throws SQLException {
        long id;
        session.setAutoCommit(false);
        try (PreparedStatement insert = session.prepareStatement("INSERT INTO hark_nodes (name, joined_at, expires_at)"
                        + " VALUES (?, clock_timestamp(), clock_timestamp() + ? * interval '1 ms') RETURNING id");
                PreparedStatement lock = session.prepareStatement("SELECT pg_advisory_lock(?, ?)")) {
            insert.setString(1, settings.name());
            insert.setLong(2, settings.lease().toMillis());
            try (ResultSet rs = insert.executeQuery()) {
                rs.next();
                id = rs.getLong(1);
            }
            lock.setInt(1, LOCK_CLASS);
            lock.setInt(2, lockKey(id));
            lock.execute();
            session.commit();
        } catch (SQLException | RuntimeException e) {
            session.rollback();
            throw e;
        } finally {
            session.setAutoCommit(true);
        }
        try (Statement s = session.createStatement()) {
            s.execute("SET application_name = 'hark node " + id + "'");
        }
        LOG.info(
                "Joined {} as node {} (#{}), lease {} ms",
                where,
                settings.name(),
                id,
                settings.lease().toMillis());
        return new PostgresNode(where, id, settings, pool, session);
    }

    /**
     * The lock's second key. Ids above {@code Integer.MAX_VALUE} wrap: two nodes sharing a key only
     * makes a dead one look alive, so the others wait for its lease to expire.
     */
    private static int lockKey(long nodeId) {
        return (int) nodeId;
    }

    long id() {
        return id;
    }

    // ---------------------------------------------------------------- NodeLeases

    @Override
    public NodeRef self() {
        return new NodeRef(id, name, address, lostReason == null);
    }

    @Override
    public Duration lease() {
        return lease;
    }

    /**
     * Renewal starts when the store opens (a store whose runtime never joins keeps its lease too);
     * this records the address and the callback. A node that lost its lease before joining has
     * {@code onLost} called at once, on the lease thread.
     */
    @Override
    public void join(Optional<URI> address, Runnable onLost) {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(onLost, "onLost");
        synchronized (this) {
            if (joined) {
                throw new IllegalStateException("node " + name + " (#" + id + ") joined already");
            }
            joined = true;
            this.onLost = onLost;
            this.address = address;
        }
        if (address.isPresent()) {
            synchronized (session) {
                try (PreparedStatement p = session.prepareStatement("UPDATE hark_nodes SET address = ? WHERE id = ?")) {
                    p.setString(1, address.get().toString());
                    p.setLong(2, id);
                    p.executeUpdate();
                } catch (SQLException e) {
                    throw PostgresErrors.storageException("Could not record this node's address in", where, e);
                }
            }
        }
        if (lostReason != null) {
            callOnLost();
        }
    }

    @Override
    public List<String> takeOver() {
        FencedException lost = lost();
        if (lost != null) {
            throw lost;
        }
        synchronized (takeOverLock) {
            try (Connection c = pool.getConnection()) {
                List<Long> gone = goneNodes(c);
                if (gone.isEmpty() && orphanOwners(c).isEmpty()) {
                    return List.of();
                }
                return takeOver(c, gone);
            } catch (SQLException e) {
                String state = e.getSQLState() == null ? "" : e.getSQLState();
                if (state.equals("55P03") || state.equals("40P01") || state.equals("25P03")) {
                    // A lock held by a node in the middle of a write (lock_timeout), a deadlock with
                    // it, or this round stuck: nothing was taken; the next round tries again.
                    LOG.debug("Takeover round on {} gave up: {}", where, e.getMessage());
                    return List.of();
                }
                throw PostgresErrors.storageException("Could not take over the workflows of gone nodes on", where, e);
            }
        }
    }

    /** Other nodes not fenced yet whose lease expired or whose session ended (their lock is free). */
    private List<Long> goneNodes(Connection c) throws SQLException {
        List<Long> gone = new ArrayList<>();
        List<Long> unexpired = new ArrayList<>();
        try (PreparedStatement p = c.prepareStatement("SELECT id, expires_at <= clock_timestamp() FROM hark_nodes"
                + " WHERE id <> ? AND fenced_at IS NULL")) {
            p.setLong(1, id);
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    (rs.getBoolean(2) ? gone : unexpired).add(rs.getLong(1));
                }
            }
        }
        if (unexpired.isEmpty()) {
            return gone;
        }
        try (PreparedStatement tryLock = c.prepareStatement("SELECT pg_try_advisory_lock(?, ?)");
                PreparedStatement unlock = c.prepareStatement("SELECT pg_advisory_unlock(?, ?)")) {
            for (long node : unexpired) {
                tryLock.setInt(1, LOCK_CLASS);
                tryLock.setInt(2, lockKey(node));
                boolean free;
                try (ResultSet rs = tryLock.executeQuery()) {
                    rs.next();
                    free = rs.getBoolean(1);
                }
                if (free) { // its session ended: the process is gone
                    unlock.setInt(1, LOCK_CLASS);
                    unlock.setInt(2, lockKey(node));
                    unlock.execute();
                    gone.add(node);
                }
            }
        }
        return gone;
    }

    /** @return the fenced nodes that still own running workflows, by id (0 for unowned ones), with names */
    private static List<NodeName> orphanOwners(Connection c) throws SQLException {
        List<NodeName> owners = new ArrayList<>();
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(ORPHANED_SQL)) {
            while (rs.next()) {
                owners.add(new NodeName(rs.getLong(1), rs.getString(2)));
            }
        }
        return owners;
    }

    private record NodeName(long id, String name) {
        @Override
        public String toString() {
            return id == 0 ? name : name + " (#" + id + ")";
        }
    }

    private List<String> takeOver(Connection c, List<Long> gone) throws SQLException {
        List<NodeName> owners = new ArrayList<>();
        List<String> taken = Transactions.inTransaction(c, () -> {
            try (Statement s = c.createStatement()) {
                // A node paused inside a write holds row locks: give up this round rather than wait.
                s.execute("SET LOCAL lock_timeout = " + Math.max(100, lease.toMillis() / 2));
                s.execute("SET LOCAL idle_in_transaction_session_timeout = " + lease.toMillis());
            }
            if (!gone.isEmpty()) {
                fence(c, gone);
            }
            owners.addAll(orphanOwners(c));
            List<String> ids = new ArrayList<>();
            if (!owners.isEmpty()) {
                Long[] ownerIds = owners.stream()
                        .filter(o -> o.id() != 0)
                        .map(NodeName::id)
                        .toArray(Long[]::new);
                // Row locks decide between takers: one that waited re-reads the row, finds it owned
                // by the first and skips it.
                try (PreparedStatement p = c.prepareStatement(
                        "UPDATE workflows SET owner = ?, status = ?, updated_at = ?" + " WHERE status IN " + RUNNING
                                + " AND (owner IS NULL OR owner = ANY (?)) RETURNING id")) {
                    p.setLong(1, id);
                    p.setString(2, WorkflowStatus.RESUMABLE.name());
                    p.setLong(3, System.currentTimeMillis());
                    p.setArray(4, c.createArrayOf("bigint", ownerIds));
                    try (ResultSet rs = p.executeQuery()) {
                        while (rs.next()) {
                            ids.add(rs.getString(1));
                        }
                    }
                }
            }
            check(c);
            return ids;
        });
        if (!taken.isEmpty()) {
            LOG.info("Node {} (#{}) took over {} workflow(s) of {}", name, id, taken.size(), names(owners));
        }
        return taken;
    }

    private void fence(Connection c, List<Long> gone) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("UPDATE hark_nodes SET fenced_at = clock_timestamp(),"
                + " fenced_by = ? WHERE id = ANY (?) AND fenced_at IS NULL"
                + " RETURNING id, name, expires_at <= clock_timestamp()")) {
            p.setLong(1, id);
            Array ids = c.createArrayOf("bigint", gone.toArray());
            p.setArray(2, ids);
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    LOG.info(
                            "Node {} (#{}) fences node {} (#{}): {}",
                            name,
                            id,
                            rs.getString(2),
                            rs.getLong(1),
                            rs.getBoolean(3) ? "its lease expired" : "its database session ended");
                }
            }
        }
    }

    private static String names(List<NodeName> owners) {
        StringJoiner joiner = new StringJoiner(", ", owners.size() == 1 ? "node " : "nodes ", "");
        owners.forEach(o -> joiner.add(o.toString()));
        return joiner.toString();
    }

    @Override
    public Optional<NodeRef> ownerElsewhere(String workflowId) {
        Objects.requireNonNull(workflowId, "workflowId");
        try (Connection c = pool.getConnection();
                PreparedStatement p = c.prepareStatement("SELECT n.id, n.name, n.address,"
                        + " n.expires_at > clock_timestamp() FROM workflows w JOIN hark_nodes n ON n.id = w.owner"
                        + " WHERE w.id = ? AND w.status IN " + RUNNING + " AND n.fenced_at IS NULL AND n.id <> ?")) {
            p.setString(1, workflowId);
            p.setLong(2, id);
            try (ResultSet rs = p.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new NodeRef(rs.getLong(1), rs.getString(2), uri(rs.getString(3)), rs.getBoolean(4)));
            }
        } catch (SQLException e) {
            throw PostgresErrors.storageException(
                    "Could not read the owner of workflow '" + workflowId + "' from", where, e);
        }
    }

    private static Optional<URI> uri(String address) {
        if (address == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(new URI(address));
        } catch (java.net.URISyntaxException e) {
            return Optional.empty(); // written by join() from a URI: cannot happen
        }
    }

    // ---------------------------------------------------------------- fencing

    /**
     * The last statement of a write transaction: fails it when this node lost its lease, or when
     * the database says so (expired, or fenced by another node). Waits for a fencing UPDATE in
     * flight, so a write either commits before another node's takeover reads, or fails.
     *
     * @throws FencedException the caller rolls back
     */
    @Override
    public void check(Connection c) throws SQLException {
        FencedException lost = lost();
        if (lost != null) {
            throw lost;
        }
        try (PreparedStatement p = c.prepareStatement(FENCE_SQL)) {
            p.setLong(1, id);
            try (ResultSet rs = p.executeQuery()) {
                if (rs.next()) {
                    return;
                }
            }
        }
        lose("its lease expired or another node fenced it");
        throw lost();
    }

    /** @return the failure of every write once this node lost its lease, or null while it holds it */
    @Override
    public FencedException lost() {
        String reason = lostReason;
        return reason == null
                ? null
                : new FencedException("node " + name + " (#" + id + ") lost its lease on " + where + " (" + reason
                        + "): another node takes over its workflows, and it writes nothing more");
    }

    private void renew() {
        synchronized (session) {
            try (PreparedStatement p = session.prepareStatement(RENEW_SQL)) {
                p.setLong(1, lease.toMillis());
                p.setLong(2, id);
                if (p.executeUpdate() == 0) {
                    lose("it could not renew its lease before it expired, or another node fenced it");
                }
            } catch (SQLException e) {
                if (sessionEnded()) {
                    lose("its database session ended: " + PostgresErrors.describe(e));
                } else {
                    LOG.warn(
                            "Node {} (#{}) could not renew its lease on {}; trying again: {}",
                            name,
                            id,
                            where,
                            e.getMessage());
                }
            } catch (RuntimeException e) { // keep renewing whatever happens
                LOG.warn("Node {} (#{}) could not renew its lease on {}; trying again", name, id, where, e);
            }
        }
    }

    private boolean sessionEnded() {
        try {
            return session.isClosed() || !session.isValid(5);
        } catch (SQLException e) {
            return true;
        }
    }

    /** From now on every write fails; {@code onLost} runs once, on the lease thread. */
    private void lose(String reason) {
        synchronized (this) {
            if (lostReason != null) {
                return;
            }
            lostReason = reason;
        }
        renewal.cancel(false);
        if (!closed) {
            LOG.warn("Node {} (#{}) lost its lease on {}: {}", name, id, where, reason);
        }
        callOnLost();
    }

    private void callOnLost() {
        Runnable callback;
        synchronized (this) {
            callback = onLost;
        }
        if (callback == null || closed || !onLostCalled.compareAndSet(false, true)) {
            return;
        }
        try {
            leaseThread.execute(() -> {
                try {
                    callback.run();
                } catch (RuntimeException e) {
                    LOG.error("The lease-lost callback of node {} (#{}) threw", name, id, e);
                }
            });
        } catch (RejectedExecutionException e) {
            LOG.debug("Node {} (#{}) is closing: no lease-lost callback", name, id);
        }
    }

    // ---------------------------------------------------------------- test hooks

    /** Test hook: a paused node, which renews no more but keeps its session (its lock). */
    void stopRenewing() {
        renewal.cancel(false);
        synchronized (session) { // waits for a renewal under way
            LOG.debug("Node {} (#{}) stopped renewing (test)", name, id);
        }
    }

    /** Test hook: a killed process: the session ends (the lock is free) and nothing renews or fences. */
    void dropSession() {
        stopRenewing();
        synchronized (session) {
            try {
                session.close();
            } catch (SQLException e) {
                LOG.debug("Ignoring failure to close node {}'s session: {}", id, e.getMessage());
            }
        }
    }

    // ---------------------------------------------------------------- lifecycle

    /**
     * Stops renewing and, unless the lease is lost already, fences this node itself, so that the
     * others take its workflows at their next round instead of after the lease; then ends the
     * session. Call after the writer flushed. Idempotent.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        renewal.cancel(false);
        leaseThread.shutdown();
        synchronized (session) {
            if (lostReason == null) {
                try (PreparedStatement p =
                        session.prepareStatement("UPDATE hark_nodes SET fenced_at = clock_timestamp(),"
                                + " fenced_by = id WHERE id = ? AND fenced_at IS NULL")) {
                    p.setLong(1, id);
                    p.executeUpdate();
                    lostReason = "it closed";
                } catch (SQLException e) {
                    LOG.warn(
                            "Node {} (#{}) could not fence itself on close ({}); the others take its workflows"
                                    + " over once its session ends",
                            name,
                            id,
                            e.getMessage());
                }
            }
            try {
                session.close();
            } catch (SQLException e) {
                LOG.debug("Ignoring failure to close node {}'s session: {}", id, e.getMessage());
            }
        }
    }

    @Override
    public String toString() {
        return "node " + name + " (#" + id + ") on " + where;
    }
}
