package dev.hark.runtime.storage.jdbc;

import dev.hark.runtime.concurrent.DaemonThreads;
import dev.hark.runtime.storage.BatchObserver;
import dev.hark.runtime.storage.StorageException;
import dev.hark.runtime.storage.StoreBusyException;
import dev.hark.runtime.storage.StoreHealth;
import dev.hark.runtime.storage.StoreStats;
import dev.hark.runtime.storage.StoreWrite;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
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
 * The store-neutral half of a store's single writer: a thread that takes everything queued (up to
 * {@code maxBatch}) and hands it to {@link #runBatch} to apply in one transaction and commit once
 * (group commit). A second thread then completes the batch's futures, in queue order, while the
 * writer goes on with the next batch: completing a future runs whatever depends on it, and waking
 * other threads from the writer would put that on the one thread every durable write waits for.
 *
 * <p>A subclass owns the connection and says how a batch is applied ({@link #runBatch}), how a
 * task runs outside any transaction ({@link #runTaskAlone}) and how a broken connection is let go
 * ({@link #discardConnection}); those run on the writer thread only. It calls {@link #start()} at
 * the end of its constructor.
 */
public abstract class SingleWriter {

    public static final String THREAD_NAME = "hark-store-writer";
    public static final String COMPLETER_THREAD_NAME = "hark-store-done";

    /** Work for the writer thread, on the write connection. */
    @FunctionalInterface
    public interface WriterTask<T> {
        T run(Connection connection) throws SQLException;
    }

    /**
     * A queued item: a store write or an internal task, with the future to complete. Writes, and
     * tasks {@code inTransaction}, join the batch's transaction; other tasks run alone between
     * batches, outside any transaction.
     */
    public record Op(StoreWrite write, WriterTask<?> task, boolean inTransaction, CompletableFuture<?> future) {}

    /** Enqueued once by {@link #close()}; nothing can be enqueued after it. */
    private static final Op STOP = new Op(null, null, false, null);

    /** The subclass's logger, so that the writer's messages keep the store's name. */
    private final Logger log = LoggerFactory.getLogger(getClass());

    /** What the writer writes to, for messages: the database file or URL. */
    private final String where;

    private final int maxBatch;
    private final LinkedBlockingQueue<Op> queue = new LinkedBlockingQueue<>();
    /**
     * Once this many ops wait in {@link #queue}, more that admit work are refused with
     * {@link StoreBusyException}; writes that finish admitted work are queued regardless
     * ({@link StoreWrite#admitsWork()}).
     */
    private final int queueCapacity;

    private final AtomicInteger queued = new AtomicInteger();
    /** Why the last transaction failed on the medium, or null once one committed (or none failed). */
    private volatile String mediumFailure;
    /** Writers enqueue under the read lock; close flips {@link #accepting} under the write lock. */
    private final ReadWriteLock gate = new ReentrantReadWriteLock();

    private boolean accepting = true;
    private final Thread thread;
    private final ExecutorService completer;
    private volatile Thread completerThread;
    private final AtomicLong writes = new AtomicLong();
    private final AtomicLong commits = new AtomicLong();
    private volatile BatchObserver batchObserver = BatchObserver.NONE;

    /**
     * Whether the database may hold buffered early events: false while it holds none and none was
     * buffered since the store opened, so that an inbox claim then costs no extra statement.
     */
    private volatile boolean earlyEventsPossible = true;

    private static final long PROBE_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);
    private final AtomicLong lastProbeNanos = new AtomicLong(System.nanoTime() - PROBE_INTERVAL_NANOS);

    protected SingleWriter(String where, int maxBatch, int queueCapacity) {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be positive: " + maxBatch);
        }
        if (queueCapacity < 1) {
            throw new IllegalArgumentException("queueCapacity must be positive: " + queueCapacity);
        }
        this.where = where;
        this.queueCapacity = queueCapacity;
        this.maxBatch = maxBatch;
        DaemonThreads completing = DaemonThreads.named(COMPLETER_THREAD_NAME);
        this.completer =
                Executors.newSingleThreadExecutor(runnable -> completerThread = completing.newThread(runnable));
        this.thread = new Thread(this::loop, THREAD_NAME);
        thread.setDaemon(true);
    }

    /** Starts the writer thread: the last step of the subclass's constructor, once its fields are set. */
    protected final void start() {
        thread.start();
    }

    /** Applies {@code batch} in one transaction and reports with {@link #committed} or {@link #failed}. */
    protected abstract void runBatch(List<Op> batch);

    /**
     * Runs a task alone, between batches, outside any transaction.
     *
     * @throws SQLException which {@link #taskFailed} turns into the task's failure
     */
    protected abstract Object runTaskAlone(WriterTask<?> task) throws SQLException;

    /** @return the failure of a task that ran alone, after putting the connection right for the next */
    protected abstract StorageException taskFailed(SQLException e);

    /** Lets go of the connection (it may be broken); the next batch opens another. */
    protected abstract void discardConnection();

    /** @throws NullPointerException if the write lacks a field its kind needs */
    public final CompletableFuture<Void> submit(StoreWrite write) {
        validate(write);
        CompletableFuture<Void> future = new CompletableFuture<>();
        enqueue(new Op(write, null, true, future));
        return future;
    }

    /**
     * @param inTransaction whether the task joins the next batch's transaction (and fails with it),
     *     or runs alone between batches, outside any transaction
     */
    public final <T> CompletableFuture<T> submit(WriterTask<T> task, boolean inTransaction) {
        CompletableFuture<T> future = new CompletableFuture<>();
        enqueue(new Op(null, task, inTransaction, future));
        return future;
    }

    private static void validate(StoreWrite write) {
        Objects.requireNonNull(write, "write");
        Objects.requireNonNull(write.workflowId(), "workflowId");
        if (write instanceof StoreWrite.CreateWorkflow w) {
            Objects.requireNonNull(w.dagJson(), "dagJson");
        } else if (write instanceof StoreWrite.PutTask w) {
            Objects.requireNonNull(w.taskId(), "taskId");
            Objects.requireNonNull(w.state(), "state");
        } else if (write instanceof StoreWrite.MarkCommitted w) {
            Objects.requireNonNull(w.taskId(), "taskId");
        } else if (write instanceof StoreWrite.SetStatus w) {
            Objects.requireNonNull(w.status(), "status");
        }
    }

    /** @return the write, for a message: its kind and workflow */
    public static String describe(StoreWrite write) {
        return write == null
                ? "a write"
                : write.getClass().getSimpleName() + " of workflow '" + write.workflowId() + "'";
    }

    /**
     * Waits for a queued write or task. An interrupt does not stop the wait: the write is queued and
     * happens regardless; the interrupt is kept for the caller.
     *
     * @return its result
     * @throws RuntimeException its failure, as it is if unchecked, else in a {@link CompletionException}
     */
    public static <T> T join(CompletableFuture<T> future) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return future.get();
                } catch (InterruptedException e) {
                    interrupted = true; // the write is queued; it happens regardless
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    if (cause instanceof RuntimeException r) {
                        throw r;
                    }
                    throw new CompletionException(cause);
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void enqueue(Op op) {
        boolean admission = op.write() == null || op.write().admitsWork();
        if (queued.incrementAndGet() > queueCapacity && admission) {
            queued.decrementAndGet();
            // Push back instead of growing without bound: the caller retries later.
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

    /** @return whether the last transaction committed, or why it failed on the medium */
    public final StoreHealth health() {
        String failure = mediumFailure;
        return failure == null ? StoreHealth.WRITABLE : StoreHealth.failing(failure);
    }

    /**
     * As {@link #health()}; while unwritable, at most once a second, also queues a write that
     * rewrites one row in place, so that readiness comes back once the medium does even when no
     * other write is coming (a load balancer keeps traffic away meanwhile). It commits or fails
     * like any batch.
     */
    public final StoreHealth probingHealth() {
        StoreHealth health = health();
        if (!health.writable()) {
            probe();
        }
        return health;
    }

    private void probe() {
        long last = lastProbeNanos.get();
        long now = System.nanoTime();
        if (now - last < PROBE_INTERVAL_NANOS || !lastProbeNanos.compareAndSet(last, now)) {
            return;
        }
        submit(
                c -> {
                    try (Statement s = c.createStatement()) {
                        return s.executeUpdate(
                                "UPDATE workflows SET updated_at = updated_at WHERE id = (SELECT MIN(id) FROM workflows)");
                    }
                },
                true);
    }

    /** Set before any early event is buffered (and at open, from the table). */
    public final void earlyEventsPossible(boolean possible) {
        this.earlyEventsPossible = possible;
    }

    /** @return whether a checkpoint's inbox claims may have buffered early events to delete */
    protected final boolean earlyEventsPossible() {
        return earlyEventsPossible;
    }

    public final StorageException closed() {
        return new StorageException("The store is closed (" + where + "); it accepts no more writes");
    }

    public final StoreStats stats() {
        return new StoreStats(writes.get(), commits.get());
    }

    /**
     * Stops accepting writes, lets the writer flush what is queued, and waits for it to exit
     * (unless called from the writer or completer thread, say from a future's callback). Idempotent.
     */
    public final void close() {
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
        completer.shutdown(); // after the writer's last batch: its completions are queued already
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
            queued.addAndGet(-batch.size()); // STOP is not counted
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

    private void runTransaction(List<Op> ops) {
        if (ops.isEmpty()) {
            return;
        }
        try {
            runBatch(ops);
        } catch (Throwable t) { // keep the writer alive whatever happens
            log.error("Unexpected failure in the store writer", t);
            StorageException failure = new StorageException("Unexpected failure writing to " + where + ": " + t, t);
            mediumFailure = failure.getMessage();
            failAll(ops, failure);
            discardConnection();
        }
    }

    private void runAlone(Op op) {
        try {
            completeLater(op, runTaskAlone(op.task()), null);
        } catch (SQLException e) {
            completeLater(op, null, taskFailed(e));
        } catch (Throwable t) {
            completeLater(op, null, t);
        }
    }

    /** @return the message prefix of a batch that failed on the medium */
    protected static String couldNotSave(int n) {
        return "Could not save " + n + (n == 1 ? " write" : " writes") + " to";
    }

    /**
     * The batch committed: {@code applied} writes of it took effect (the others, and the tasks,
     * have their result or failure at their index in {@code results} and {@code failures}).
     */
    protected final void committed(
            List<Op> batch, int applied, Object[] results, Throwable[] failures, long commitNanos) {
        mediumFailure = null;
        writes.addAndGet(applied);
        if (applied > 0) {
            commits.incrementAndGet();
            try {
                batchObserver.committed(applied, commitNanos);
            } catch (RuntimeException e) { // a meter must never stop the writer
                log.warn("A batch observer threw; ignored", e);
            }
        }
        completeLater(batch, results, failures);
    }

    /** From now on every committed batch is reported to {@code observer} (the runtime's meters). */
    public void observeBatches(BatchObserver observer) {
        this.batchObserver = Objects.requireNonNull(observer, "observer");
    }

    /** The batch failed on the medium and nothing of it was applied (the subclass rolled back). */
    protected final void failed(List<Op> batch, StorageException failure) {
        mediumFailure = failure.getMessage();
        log.warn("{}; nothing of the batch was applied", failure.getMessage());
        failAll(batch, failure);
    }

    private void failAll(List<Op> ops, Throwable failure) {
        Throwable[] failures = new Throwable[ops.size()];
        Arrays.fill(failures, failure);
        completeLater(ops, new Object[ops.size()], failures);
    }

    private void completeLater(Op op, Object result, Throwable failure) {
        completeLater(List.of(op), new Object[] {result}, new Throwable[] {failure});
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
}
