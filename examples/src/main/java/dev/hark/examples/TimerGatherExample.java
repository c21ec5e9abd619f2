package dev.hark.examples;

import dev.hark.examples.plugin.ExampleTasks;
import dev.hark.listeners.timer.TimerEvent;
import dev.hark.listeners.timer.TimerListener;
import dev.hark.runtime.Hark;
import dev.hark.workflow.Dag;
import dev.hark.workflow.Node;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.CompletableFuture;

/**
 * The timer example: two timer events, gathered by a task once both have fired.
 */
public final class TimerGatherExample {

    static final String WORKFLOW_ID = "seed-timers";

    private TimerGatherExample() {}

    /** Starts the workflow with deadlines a few seconds ahead, and says so. */
    static CompletableFuture<?> start(Hark hark) {
        Instant now = Instant.now();
        Instant first = now.plusSeconds(8).truncatedTo(ChronoUnit.SECONDS);
        Instant second = now.plusSeconds(4).truncatedTo(ChronoUnit.SECONDS);
        // As in Ray's example: event1 fires after event2, and gather runs when both are done.
        Node<TimerEvent> event1 = Dag.waitForEvent(TimerListener.class, first);
        Node<TimerEvent> event2 = Dag.waitForEvent(TimerListener.class, second);
        CompletableFuture<?> output =
                hark.runAsync(Dag.task(ExampleTasks::gather).bind(event1, event2), WORKFLOW_ID);
        System.out.printf(
                "Started workflow %s: two timers due at %s and %s. Press Ctrl-C to interrupt it,"
                        + " then run again to resume.%n",
                WORKFLOW_ID, local(first), local(second));
        return output;
    }

    private static LocalTime local(Instant instant) {
        return LocalTime.ofInstant(instant, ZoneId.systemDefault()).truncatedTo(ChronoUnit.SECONDS);
    }
}
