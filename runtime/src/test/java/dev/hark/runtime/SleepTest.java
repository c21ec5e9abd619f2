package dev.hark.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hark.listeners.timer.TimerEvent;
import dev.hark.workflow.Dag;
import dev.hark.workflow.Node;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SleepTest {

    @TempDir
    Path dataDir;

    @Test
    void aTwoSecondSleepMakesTheWorkflowTakeMoreThanOneSecond() {
        try (Hark hark = Hark.open(dataDir)) {
            long start = System.nanoTime();
            TimerEvent fired = hark.run(Dag.sleep(Duration.ofSeconds(2)), "sleeper");
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertTrue(took.compareTo(Duration.ofSeconds(1)) > 0, "took only " + took);
            assertTrue(!fired.deadline().isAfter(Instant.now()), "fired before its deadline " + fired);
        }
    }

    @Test
    void theSleepClockStartsWhenTheSleepTaskRunsNotWhenTheDagIsBuilt() throws Exception {
        Node<TimerEvent> sleep = Dag.sleep(Duration.ofSeconds(2));
        Thread.sleep(2_000);
        try (Hark hark = Hark.open(dataDir)) {
            Instant runStart = Instant.now();
            long start = System.nanoTime();
            TimerEvent fired = hark.run(sleep, "late-sleeper");
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertTrue(took.compareTo(Duration.ofSeconds(1)) > 0, "took only " + took);
            assertTrue(
                    fired.deadline().isAfter(runStart.plusMillis(1_900)),
                    "deadline " + fired.deadline() + " was fixed before the run started at " + runStart);
        }
    }

    @Test
    void theRuntimesClockDecidesWhenATimerIsDue() {
        // R6.1/R6.2: listeners read time from the runtime's clock. With that clock a day ahead, a
        // timer due in an hour of real time is already overdue and fires at once.
        Instant inAnHour = Instant.now().plusSeconds(3_600);
        Clock aDayAhead = Clock.offset(Clock.systemUTC(), Duration.ofDays(1));
        try (Hark hark = Hark.builder().dataDir(dataDir).clock(aDayAhead).open()) {
            TimerEvent fired = hark.runAsync(
                            Dag.waitForEvent(dev.hark.listeners.timer.TimerListener.class, inAnHour), "clocked")
                    .orTimeout(30, java.util.concurrent.TimeUnit.SECONDS)
                    .join();
            assertEquals(inAnHour, fired.deadline());
        }
    }

    @Test
    void anOverdueTimerFiresAtOnce() {
        try (Hark hark = Hark.open(dataDir)) {
            Instant past = Instant.now().minusSeconds(3_600);
            TimerEvent fired =
                    hark.run(Dag.waitForEvent(dev.hark.listeners.timer.TimerListener.class, past), "overdue");
            assertEquals(past, fired.deadline());
        }
    }
}
