package dev.hark.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hark.listeners.timer.TimerListener;
import dev.hark.runtime.testing.Await;
import dev.hark.workflow.Dag;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ThreadUsageTest {

    @TempDir
    Path dataDir;

    @Test
    void thousandsOfPendingWaitsLeaveTheThreadCountFlat() throws Exception {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Instant farFuture = Instant.now().plusSeconds(86_400);
        try (Hark hark = Hark.open(dataDir)) {
            parkTimers(hark, "warm", 100, farFuture);
            int before = threads.getThreadCount();

            parkTimers(hark, "bulk", 5_000, farFuture);
            int after = threads.getThreadCount();

            assertEquals(5_100, hark.metrics().activeWorkflows());
            assertEquals(5_100, hark.metrics().pendingTimers(), "every wait is parked on the scheduler");
            assertTrue(
                    after - before <= 2,
                    "5,000 more pending waits must not cost threads: " + before + " before, " + after + " after");
        }
    }

    private static void parkTimers(Hark hark, String prefix, int count, Instant deadline) throws Exception {
        List<CompletableFuture<Void>> started = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            started.add(hark.start(Dag.waitForEvent(TimerListener.class, deadline), prefix + "-" + i)
                    .started());
        }
        CompletableFuture.allOf(started.toArray(CompletableFuture[]::new)).get();
        Await.until(
                () -> hark.metrics().pendingTimers() >= hark.metrics().activeWorkflows(),
                () -> "only " + hark.metrics().pendingTimers() + " of "
                        + hark.metrics().activeWorkflows() + " waits parked on the scheduler");
    }
}
