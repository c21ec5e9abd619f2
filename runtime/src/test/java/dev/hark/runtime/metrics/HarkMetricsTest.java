package dev.hark.runtime.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hark.runtime.Hark;
import dev.hark.workflow.Dag;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The meters of a runtime live as long as it: closed, it leaves none behind in a shared registry. */
class HarkMetricsTest {

    @TempDir
    Path dataDir;

    private static final String TIMER = "dev.hark.listeners.timer.TimerListener";

    @Test
    void aRuntimeRemovesItsMetersWhenClosedAndTheNextOneCountsAfresh() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (Hark first = Hark.builder().dataDir(dataDir).metrics(registry).open()) {
            first.run(Dag.sleep(Duration.ofMillis(1)), "nap-1");
            assertEquals(
                    1,
                    registry.get("hark.events.checkpointed")
                            .tag("listener", TIMER)
                            .counter()
                            .count());
            assertEquals(
                    1,
                    registry.get("hark.workflows.finished")
                            .tag("status", "successful")
                            .counter()
                            .count());
        }
        assertEquals(
                0,
                registry.getMeters().stream()
                        .map(Meter::getId)
                        .filter(id -> id.getName().startsWith("hark."))
                        .count(),
                "no meter of the closed runtime is left: " + registry.getMetersAsString());

        try (Hark second = Hark.builder().dataDir(dataDir).metrics(registry).open()) {
            second.run(Dag.sleep(Duration.ofMillis(1)), "nap-2");
            assertEquals(
                    1,
                    registry.get("hark.workflows.finished")
                            .tag("status", "successful")
                            .counter()
                            .count());
            assertEquals(0, registry.get("hark.workflows.active").gauge().value());
            assertTrue(registry.get("hark.store.commits").functionCounter().count() >= 1);
        }
    }

    @Test
    void withoutARegistryNothingIsRecorded() {
        assertEquals(false, HarkMetrics.NONE.enabled());
        HarkMetrics.NONE.listener("x").eventCheckpointed(1); // no registry: nothing happens, nothing throws
        HarkMetrics.NONE.close();
    }
}
