package dev.hark.runtime.storage.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hark.runtime.storage.StoreStats;
import dev.hark.runtime.storage.StoreWrite;
import dev.hark.runtime.storage.StoreWrite.CreateWorkflow;
import dev.hark.runtime.storage.StoreWrite.PutTask;
import dev.hark.runtime.storage.TaskState;
import dev.hark.runtime.storage.WorkflowStore;
import dev.hark.runtime.testing.Await;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Group commit: writes queued together share one transaction, and their futures complete in queue order. */
public abstract class GroupCommitContract extends StoreContract {

    @Test
    void aSlowDependentDoesNotHoldBackLaterWritesAndFuturesCompleteInQueueOrder() throws Exception {
        try (WorkflowStore store = open()) {
            List<String> completed = new CopyOnWriteArrayList<>();
            CountDownLatch release = new CountDownLatch(1);
            // The writer is held until every dependent below is registered: a write completed before its
            // thenRun is registered would run the blocking dependent on this thread instead.
            AutoCloseable registered = pauseWriter(store);
            try {
                List<CompletableFuture<Void>> first = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    String id = "a" + i;
                    first.add(store.write(new CreateWorkflow(id, "{}", i)).thenRun(() -> completed.add(id)));
                }
                // a dependent that does not return: on the writer thread it would stop every later commit
                store.write(new CreateWorkflow("slow", "{}", 0)).thenRun(() -> {
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                registered.close();
                first.forEach(CompletableFuture::join);
                List<String> expected = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    expected.add("a" + i);
                }
                assertEquals(expected, completed, "completions follow the queue order");

                CompletableFuture<Void> later = store.write(new CreateWorkflow("later", "{}", 0));
                // durable although its future cannot complete yet: the writer is free, the completer is not
                Await.until(
                        () -> store.stats().writes() >= 22,
                        () -> "the write after the slow dependent was not committed: " + store.stats());
                assertEquals(22, store.stats().writes(), "the write after the slow dependent was committed");
                assertFalse(later.isDone(), "completions stay in order behind the slow dependent");
                release.countDown();
                later.join();
            } finally {
                registered.close(); // idempotent
                release.countDown(); // else close() would wait forever for the blocked completer
            }
        }
    }

    @Test
    void concurrentWritersShareCommits() throws Exception {
        int threads = 8;
        int perThread = 25;
        int total = threads * perThread;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (WorkflowStore store = open()) {
            List<Future<List<CompletableFuture<Void>>>> submitted = new ArrayList<>();
            CyclicBarrier start = new CyclicBarrier(threads);
            // Holding the writer while the threads submit makes the batching deterministic: every
            // write queued during one flush must go into the next transaction.
            try (AutoCloseable pause = pauseWriter(store)) {
                for (int t = 0; t < threads; t++) {
                    int thread = t;
                    submitted.add(pool.submit(() -> {
                        start.await();
                        List<CompletableFuture<Void>> futures = new ArrayList<>();
                        for (int i = 0; i < perThread; i++) {
                            futures.add(store.write(new CreateWorkflow("t" + thread + "-" + i, "{}", i)));
                        }
                        return futures;
                    }));
                }
                for (Future<List<CompletableFuture<Void>>> f : submitted) {
                    f.get(); // all queued
                }
            }
            for (Future<List<CompletableFuture<Void>>> f : submitted) {
                f.get().forEach(CompletableFuture::join);
            }
            StoreStats stats = store.stats();
            assertEquals(total, stats.writes());
            assertEquals(1, stats.commits(), "200 queued writes must share one commit: " + stats);
            assertEquals(total, store.list(Optional.empty()).size());
        } finally {
            pool.shutdownNow();
        }
        try (WorkflowStore reopened = open()) {
            assertEquals(total, reopened.list(Optional.empty()).size(), "all durable");
        }
    }

    @Test
    void freeRunningConcurrentWritersAlsoShareCommits() throws Exception {
        // No pause: writers that do not wait for each write pile up behind the flush in progress.
        int threads = 8;
        int perThread = 25;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (WorkflowStore store = open()) {
            store.write(new StoreWrite.CreateWorkflow("wf", "{}", 1L)).join();
            long before = store.stats().writes();
            CyclicBarrier start = new CyclicBarrier(threads);
            List<Future<List<CompletableFuture<Void>>>> submitted = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                submitted.add(pool.submit(() -> {
                    start.await();
                    List<CompletableFuture<Void>> futures = new ArrayList<>();
                    for (int i = 0; i < perThread; i++) {
                        futures.add(store.write(new PutTask("wf", thread + "-" + i, TaskState.DONE, "x")));
                    }
                    return futures;
                }));
            }
            for (Future<List<CompletableFuture<Void>>> f : submitted) {
                f.get().forEach(CompletableFuture::join);
            }
            StoreStats stats = store.stats();
            assertEquals(threads * perThread, stats.writes() - before);
            assertTrue(stats.commits() <= stats.writes() / 2, "group commit: " + stats);
            System.out.println("free-running: " + stats);
            assertEquals(threads * perThread, store.tasks("wf").size());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void batchesAreCapped() throws Exception {
        try (WorkflowStore store = open(50, 100_000)) {
            List<CompletableFuture<Void>> futures = new ArrayList<>();
            try (AutoCloseable pause = pauseWriter(store)) {
                for (int i = 0; i < 200; i++) {
                    futures.add(store.write(new CreateWorkflow("w" + i, "{}", i)));
                }
            }
            futures.forEach(CompletableFuture::join);
            assertEquals(new StoreStats(200, 4), store.stats());
        }
    }

    @Test
    void everyCommittedBatchIsReportedWithItsWritesAndCommitTime() throws Exception {
        try (WorkflowStore store = open()) {
            List<long[]> batches = new CopyOnWriteArrayList<>();
            store.observeBatches((writes, commitNanos) -> batches.add(new long[] {writes, commitNanos}));
            AutoCloseable held = pauseWriter(store);
            List<CompletableFuture<Void>> writes = new ArrayList<>();
            try {
                for (int i = 0; i < 5; i++) {
                    writes.add(store.write(new CreateWorkflow("observed-" + i, "{}", i)));
                }
            } finally {
                held.close();
            }
            writes.forEach(CompletableFuture::join);
            store.write(new CreateWorkflow("observed-last", "{}", 9)).join();
            long reported = batches.stream().mapToLong(b -> b[0]).sum();
            assertEquals(6, reported, "the observer hears of every committed write, once");
            assertTrue(
                    batches.stream().allMatch(b -> b[0] > 0 && b[1] > 0),
                    "no empty batch, and every commit took measurable time (a flush, a round trip): the time is taken");
            assertTrue(batches.get(0)[0] >= 5, "the five writes queued behind the paused writer share a commit");
        }
    }
}
