package dev.hark.runtime.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hark.listeners.http.HttpEvent;
import dev.hark.listeners.http.HttpListener;
import dev.hark.runtime.Hark;
import dev.hark.runtime.event.Delivery;
import dev.hark.runtime.http.HttpSettings;
import dev.hark.runtime.storage.WorkflowStore;
import dev.hark.runtime.storage.sqlite.SqliteWorkflowStore;
import dev.hark.runtime.testing.Await;
import dev.hark.runtime.testing.FakeCluster;
import dev.hark.workflow.Dag;
import dev.hark.workflow.WorkflowStatus;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node of a shared store takes over what gone nodes left, at open and in its periodic rounds,
 * resumes it, and stops like a crashed node when it loses its lease. The store's answers come from
 * {@link FakeCluster}; which workflows a takeover hands out is the test's choice, as the real store's
 * is the store's (tested with PostgreSQL).
 */
class ClusterTakeoverTest {

    private static final int LEFT = 5;

    @TempDir
    Path folder;

    private final FakeCluster cluster = new FakeCluster(Duration.ofMillis(900));
    private final FakeCluster.Leases leases = cluster.join("node-a");
    private WorkflowStore real;
    private Hark hark;

    @AfterEach
    void close() {
        if (hark != null) {
            hark.close();
        }
    }

    /** Workflows w-0.. wait for "k" on a runtime that then crashes: RUNNING in the store, run by nobody. */
    private void leaveRunningWorkflows() {
        Hark crashed = Hark.open(folder);
        for (int i = 0; i < LEFT; i++) {
            crashed.start(Dag.waitForEvent(HttpListener.class, "k"), "w-" + i)
                    .started()
                    .join();
        }
        crashed.crashForTesting();
    }

    private Hark openNode(Runnable onLeaseLost) {
        hark = Hark.builder()
                .dataDir(folder)
                .http(HttpSettings.defaults().withPort(0))
                .onLeaseLost(onLeaseLost)
                .store(dir -> leases.store(real = SqliteWorkflowStore.open(dir)))
                .open();
        return hark;
    }

    @Test
    void atOpenANodeTakesOverWhatGoneNodesLeftAndResumesItWithoutMarkingAnythingResumableItself() throws Exception {
        leaveRunningWorkflows();
        leases.toTake = () -> FakeCluster.takeRunning(real); // the store's wrapper refuses markRunningResumable
        openNode(() -> {});
        Map<String, CompletableFuture<Object>> resumed = hark.resumedOnOpen().get(30, TimeUnit.SECONDS);
        assertEquals(LEFT, resumed.size(), resumed.toString());
        for (int i = 0; i < LEFT; i++) {
            Delivery delivery = hark.sendEvent("w-" + i, "k", i).get(30, TimeUnit.SECONDS);
            assertInstanceOf(Delivery.Accepted.class, delivery);
            assertEquals(i, ((HttpEvent) resumed.get("w-" + i).get(30, TimeUnit.SECONDS)).eventPayload());
        }
    }

    @Test
    void aWorkflowLeftByAGoneNodeIsAnsweredRetryUntilARoundTakesItOverThenItsEventsAreDelivered() throws Exception {
        leaveRunningWorkflows();
        openNode(() -> {});
        assertEquals(Map.of(), hark.resumedOnOpen().get(30, TimeUnit.SECONDS));
        // nobody runs it yet: "retry", never "not running" (a client would give up)
        Delivery before = hark.sendEvent("w-0", "k", "early").get(30, TimeUnit.SECONDS);
        assertInstanceOf(Delivery.NotYetResumed.class, before);

        leases.toTake = () -> FakeCluster.takeRunning(real);
        Delivery after = Await.value(
                () -> hark.sendEvent("w-0", "k", "late").get(30, TimeUnit.SECONDS),
                delivery -> delivery instanceof Delivery.Accepted,
                delivery -> "no round took w-0 over: " + delivery);
        assertInstanceOf(Delivery.Accepted.class, after);
        assertEquals("late", ((HttpEvent) hark.output("w-0")).eventPayload());
        assertEquals(WorkflowStatus.RUNNING, hark.status("w-1"), "taken over and resumed, waiting again");
    }

    @Test
    void aNodeThatLosesItsLeaseStopsLikeACrashedOneAndTellsTheApplication() throws Exception {
        leaveRunningWorkflows();
        leases.toTake = () -> FakeCluster.takeRunning(real);
        CountDownLatch told = new CountDownLatch(1);
        openNode(told::countDown);
        hark.resumedOnOpen().get(30, TimeUnit.SECONDS);
        int port = hark.httpAddress().orElseThrow().getPort();

        leases.lose();
        assertTrue(told.await(30, TimeUnit.SECONDS), "onLeaseLost never ran");
        // stopped: no HTTP, and nothing written: the workflows stay RUNNING for their next owner
        assertThrows(IOException.class, () -> {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
            }
        });
        try (WorkflowStore reopened = SqliteWorkflowStore.open(folder)) {
            for (String id : List.of("w-0", "w-" + (LEFT - 1))) {
                assertEquals(
                        WorkflowStatus.RUNNING,
                        reopened.workflow(id).orElseThrow().status());
            }
        }
    }
}
