package dev.hark.runtime.storage.postgres;

import dev.hark.runtime.storage.StorageException;
import dev.hark.runtime.storage.StoreBusyException;
import dev.hark.runtime.storage.StoreHealth;
import dev.hark.runtime.storage.StoreStats;
import dev.hark.runtime.storage.StoreWrite;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single writer: a thread that owns one connection, takes everything queued, applies it in one
 * transaction ({@link PostgresBatch}) and commits once (group commit). A second thread completes
 * the futures in queue order, so that what depends on a write never runs on the thread every
 * durable write waits for.
 *
 * <p>PostgreSQL aborts a whole transaction on any error, where SQLite undoes just the statement.
 * Refusals the contract expects (a duplicate id, a held claim, a decided race) are therefore
 * written so that they raise no error ({@code ON CONFLICT DO NOTHING}, update counts). Should a
 * write fail all the same (a value PostgreSQL refuses), the batch is rolled back and applied again
 * with a savepoint around each write, so that only the failing write fails.
 */
final class PostgresWriter {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresWriter.class);

    static final String THREAD_NAME = "hark-store-writer";
    static final String COMPLETER_THREAD_NAME = "hark-store-done";

    /** Work for the writer thread, on the write connection. */
    @FunctionalInterface
    interface WriterTask<T> {
        T run(Connection connection) throws SQLException;
    }

    /** Lends the writer a connection, and takes back a broken one. */
    interface Connections {
        Connection connect() throws SQLException;

        void discard(Connection broken);
    }

    /**
     * A queued item: a store write or an internal task, with the future to complete. Writes, and
     * tasks {@code inTransaction}, join the batch's transaction; other tasks run alone between
     * batches, in autocommit mode.
     */
    record Op(StoreWrite write, WriterTask<?> task, boolean inTransaction, CompletableFuture<?> future) {}

    /** Enqueued once by {@link #close()}; nothing can be enqueued after it. */
    private static final Op STOP = new Op(null, null, false, null);

    private final String where;
    private final Connections connections;
    private final int maxBatch;
    private final int queueCapacity;
    private final LinkedBlockingQueue<Op> queue = new LinkedBlockingQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private volatile String mediumFailure;
    private final ReadWriteLock gate = new ReentrantReadWriteLock();
    private boolean accepting = true;
    private final Thread thread;
    private final ExecutorService completer;
    private volatile Thread completerThread;
    private final AtomicLong writes = new AtomicLong();
    private final AtomicLong commits = new AtomicLong();

    /**
     * Whether the database may hold buffered early events: false while it holds none and none was
     * buffered since the store opened, so that an inbox claim then costs no extra statement.
     */
    private volatile boolean earlyEventsPossible = true;

    // Owned by the writer thread.
    private Connection connection;

    PostgresWriter(String where, Connections connections, int maxBatch, int queueCapacity) {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be positive: " + maxBatch);
        }
        if (queueCapacity < 1) {
            throw new IllegalArgumentException("queueCapacity must be positive: " + queueCapacity);
        }
        this.where = where;
        this.connections = connections;
        this.maxBatch = maxBatch;
        this.queueCapacity = queueCapacity;
        // Daemons, as the runtime's threads are: an application that forgets to close can still exit.
        this.completer = Executors.newSingleThreadExecutor(runnable -> {
            Thread t = new Thread(runnable, COMPLETER_THREAD_NAME);
            t.setDaemon(true);
            completerThread = t;
            return t;
        });
        this.thread = new Thread(this::loop, THREAD_NAME);
        thread.setDaemon(true);
        thread.start();
    }

    /** Set before any early event is buffered (and at open, from the table). */
    void earlyEventsPossible(boolean possible) {
        this.earlyEventsPossible = possible;
    }

    CompletableFuture<Void> submit(StoreWrite write) {
        CompletableFuture<Void> future = new CompletableFuture<>();
        enqueue(new Op(write, null, true, future));
        return future;
    }

    /**
     * @param inTransaction whether the task joins the next batch's transaction (and fails with it),
     *     or runs alone between batches, in autocommit mode
     */
    <T> CompletableFuture<T> submit(WriterTask<T> task, boolean inTransaction) {
        CompletableFuture<T> future = new CompletableFuture<>();
        enqueue(new Op(null, task, inTransaction, future));
        return future;
    }

    private void enqueue(Op op) {
        boolean admission = op.write() == null || op.write().admitsWork();
        if (queued.incrementAndGet() > queueCapacity && admission) {
            queued.decrementAndGet();
            op.future()
                    .completeExceptionally(new StoreBusyException("The store's write queue is full (" + queueCapacity
                            + " writes waiting for " + where + "); try again shortly"));
            return;
        }
        gate.readLock().lock();
        try {
            if (accepting) {
                queue.add(op);
                return;
            }
        } finally {
            gate.readLock().unlock();
        }
        queued.decrementAndGet();
        op.future().completeExceptionally(closed());
    }

    StoreHealth health() {
        String failure = mediumFailure;
        return failure == null ? StoreHealth.WRITABLE : StoreHealth.failing(failure);
    }

    StorageException closed() {
        return new StorageException("The store is closed (" + where + "); it accepts no more writes");
    }

    StoreStats stats() {
        return new StoreStats(writes.get(), commits.get());
    }

    /**
     * Stops accepting writes, lets the writer flush what is queued, and waits for it to exit
     * (unless called from the writer or completer thread, say from a future's callback). Idempotent.
     */
    void close() {
        gate.writeLock().lock();
        try {
            if (accepting) {
                accepting = false;
                queue.add(STOP);
            }
        } finally {
            gate.writeLock().unlock();
        }
        if (Thread.currentThread() == thread) {
            return;
        }
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        completer.shutdown();
        if (Thread.currentThread() != completerThread) {
            while (!completer.isTerminated()) {
                try {
                    completer.awaitTermination(1, TimeUnit.MINUTES);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void loop() {
        List<Op> batch = new ArrayList<>();
        boolean stop = false;
        while (!stop) {
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                continue; // only close() stops the writer
            }
            queue.drainTo(batch, maxBatch - 1);
            if (batch.get(batch.size() - 1) == STOP) { // STOP is the last item ever queued
                batch.remove(batch.size() - 1);
                stop = true;
            }
            queued.addAndGet(-batch.size());
            List<Op> transaction = new ArrayList<>(batch.size());
            for (Op op : batch) {
                if (op.inTransaction()) {
                    transaction.add(op);
                } else {
                    runTransaction(transaction);
                    transaction.clear();
                    runAlone(op);
                }
            }
            runTransaction(transaction);
            batch.clear();
        }
        discardConnection();
    }

    private Connection connection() throws SQLException {
        if (connection == null) {
            Connection c = connections.connect();
            try {
                c.setAutoCommit(false);
            } catch (SQLException e) {
                connections.discard(c);
                throw e;
            }
            connection = c;
        }
        return connection;
    }

    private void runAlone(Op op) {
        try {
            Connection c = connection();
            c.setAutoCommit(true);
            try {
                completeLater(List.of(op), new Object[] {op.task().run(c)}, new Throwable[1]);
            } finally {
                c.setAutoCommit(false);
            }
        } catch (SQLException e) {
            completeLater(List.of(op), new Object[1], new Throwable[] {
                PostgresErrors.storageException("Could not run a task on", where, e)
            });
            discardConnection();
        } catch (Throwable t) {
            completeLater(List.of(op), new Object[1], new Throwable[] {t});
        }
    }

    private void runTransaction(List<Op> ops) {
        if (ops.isEmpty()) {
            return;
        }
        try {
            runBatch(ops);
        } catch (Throwable t) { // keep the writer alive whatever happens
            LOG.error("Unexpected failure in the store writer", t);
            StorageException failure = new StorageException("Unexpected failure writing to " + where + ": " + t, t);
            mediumFailure = failure.getMessage();
            failAll(ops, failure);
            discardConnection();
        }
    }

    private void runBatch(List<Op> batch) {
        int n = batch.size();
        PostgresBatch.Outcome outcome;
        try {
            Connection c = connection();
            try {
                outcome = apply(c, batch, false);
                c.commit();
            } catch (SQLException first) {
                rollbackOrThrow(c, first);
                if (!c.isValid(5)) {
                    throw first;
                }
                // A write PostgreSQL refused aborted the transaction: again, each write in a savepoint.
                LOG.debug("Batch of {} failed ({}); applying each write in a savepoint", n, first.getMessage());
                outcome = apply(c, batch, true);
                c.commit();
            }
            mediumFailure = null;
        } catch (SQLException e) {
            StorageException failure = PostgresErrors.storageException(
                    "Could not save " + n + (n == 1 ? " write" : " writes") + " to", where, e);
            mediumFailure = failure.getMessage();
            LOG.warn("{}; nothing of the batch was applied", failure.getMessage());
            failAll(batch, failure);
            discardConnection();
            return;
        }
        writes.addAndGet(outcome.applied());
        if (outcome.applied() > 0) {
            commits.incrementAndGet();
        }
        completeLater(batch, outcome.results(), outcome.failures());
    }

    private PostgresBatch.Outcome apply(Connection c, List<Op> batch, boolean savepoints) throws SQLException {
        try (PostgresBatch b = new PostgresBatch(c, earlyEventsPossible)) {
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

    private void failAll(List<Op> ops, Throwable failure) {
        Throwable[] failures = new Throwable[ops.size()];
        Arrays.fill(failures, failure);
        completeLater(ops, new Object[ops.size()], failures);
    }

    /** Hands the futures of {@code ops} (a list the writer reuses) to the completer, in order. */
    private void completeLater(List<Op> ops, Object[] results, Throwable[] failures) {
        CompletableFuture<?>[] futures = new CompletableFuture<?>[ops.size()];
        for (int i = 0; i < futures.length; i++) {
            futures[i] = ops.get(i).future();
        }
        completer.execute(() -> {
            for (int i = 0; i < futures.length; i++) {
                complete(futures[i], results[i], failures[i]);
            }
        });
    }

    @SuppressWarnings("unchecked")
    private static void complete(CompletableFuture<?> future, Object result, Throwable failure) {
        if (failure != null) {
            future.completeExceptionally(failure);
        } else {
            ((CompletableFuture<Object>) future).complete(result);
        }
    }

    private void discardConnection() {
        if (connection != null) {
            connections.discard(connection);
            connection = null;
        }
    }
}
