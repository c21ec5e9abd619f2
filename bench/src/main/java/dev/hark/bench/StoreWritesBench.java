package dev.hark.bench;

import dev.hark.runtime.storage.EventClaim;
import dev.hark.runtime.storage.StoreStats;
import dev.hark.runtime.storage.StoreWrite;
import dev.hark.runtime.storage.TaskState;
import dev.hark.runtime.storage.sqlite.SqliteWorkflowStore;
import dev.hark.workflow.WorkflowStatus;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;

/**
 * The store's share of an HTTP event, without HTTP or workflows: N workflows are created, then for
 * each the two writes a delivered event costs (its checkpoint, then the final status holding the
 * output), with at most C events in flight, as the HTTP clients would have. Prints the store
 * writer's CPU per event, so that changes to the schema or the writer can be compared alone.
 *
 * <p>Usage: {@code java -cp bench/target/hark-bench.jar dev.hark.bench.StoreWritesBench [N] [C]}
 */
public final class StoreWritesBench {

    private static final String DAG = "{\"nodes\":[{\"kind\":\"wait\",\"taskId\":\"HttpListener\","
            + "\"listener\":\"dev.hark.listeners.http.HttpListener\",\"args\":\"{\\\"type\\\":\\\"java.lang.String\\\","
            + "\\\"value\\\":\\\"key\\\"}\"}],\"root\":0}";

    private StoreWritesBench() {}

    /** {@code bench.claims}: each checkpoint also claims its event, as a shared-source listener's does. */
    private static final boolean CLAIMS = Boolean.getBoolean("bench.claims");

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int inFlight = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        Path dir = Path.of(System.getProperty("bench.dir", "/tmp/hark-store-bench"));
        for (int round = 0; round < 2; round++) {
            HttpEventsBench.deleteRecursively(dir);
            try (SqliteWorkflowStore store = SqliteWorkflowStore.open(dir)) {
                Semaphore permits = new Semaphore(20_000);
                for (int i = 0; i < n; i++) {
                    permits.acquire();
                    store.write(new StoreWrite.CreateWorkflow("h-" + i, DAG, System.currentTimeMillis()))
                            .whenComplete((ok, failure) -> permits.release());
                }
                permits.acquire(20_000);
                StoreStats before = store.stats();
                ThreadCosts threadsBefore = ThreadCosts.snapshot();
                long start = System.nanoTime();
                deliver(store, n, inFlight);
                long elapsed = System.nanoTime() - start;
                ThreadCosts threadsAfter = ThreadCosts.snapshot();
                StoreStats after = store.stats();
                if (round == 1) { // the first round warms the JIT
                    System.out.println("n=" + n);
                    System.out.println("claims=" + CLAIMS);
                    System.out.println("in_flight=" + inFlight);
                    System.out.println("events_per_s=" + Math.round(n / (elapsed / 1e9)));
                    System.out.printf(
                            "writes_per_commit=%.1f%n",
                            (double) (after.writes() - before.writes()) / (after.commits() - before.commits()));
                    threadsAfter.printSince(threadsBefore, n);
                }
            }
        }
    }

    /** Checkpoint, then (once durable) the final status: the two writes of a delivered HTTP event. */
    private static void deliver(SqliteWorkflowStore store, int n, int inFlight) throws InterruptedException {
        Semaphore permits = new Semaphore(inFlight);
        for (int i = 0; i < n; i++) {
            permits.acquire();
            String id = "h-" + i;
            String envelope = "{\"type\":\"dev.hark.listeners.http.HttpEvent\",\"value\":{\"eventKey\":\"key-" + i
                    + "\",\"eventPayload\":{\"n\":" + i + "},\"id\":\"msg-mi0q6bk3-1ybtz0z2fdcgs-" + i + "\"}}";
            CompletableFuture<Void> checkpoint = store.write(new StoreWrite.PutTask(
                    id,
                    "HttpListener",
                    TaskState.CHECKPOINTED,
                    envelope,
                    CLAIMS ? java.util.List.of(new EventClaim("bench.SharedListener", id)) : java.util.List.of()));
            checkpoint.thenRun(() -> {
                permits.release();
                store.write(new StoreWrite.SetStatus(id, WorkflowStatus.SUCCESSFUL, envelope, null));
            });
        }
        permits.acquire(inFlight);
    }
}
