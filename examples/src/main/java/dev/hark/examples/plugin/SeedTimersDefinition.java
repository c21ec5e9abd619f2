package dev.hark.examples.plugin;

import dev.hark.listeners.timer.TimerEvent;
import dev.hark.listeners.timer.TimerListener;
import dev.hark.runtime.workflow.Dag;
import dev.hark.runtime.workflow.Node;
import dev.hark.runtime.workflow.WorkflowDefinition;
import java.time.Instant;
import java.util.Map;

/**
 * {@code seed-timers}: two timer events, gathered by a task once both fired. Input:
 * {@code {"first_seconds": 60, "second_seconds": 30}} (defaults 8 and 4), seconds from now.
 */
public final class SeedTimersDefinition implements WorkflowDefinition {

    @Override
    public String name() {
        return "seed-timers";
    }

    @Override
    public Node<?> build(Map<String, Object> input) {
        Instant now = Instant.now();
        Node<TimerEvent> event1 = Dag.waitForEvent(TimerListener.class, now.plusSeconds(seconds(input, "first_seconds", 8)));
        Node<TimerEvent> event2 = Dag.waitForEvent(TimerListener.class, now.plusSeconds(seconds(input, "second_seconds", 4)));
        return Dag.task(SeedTasks::gather).bind(event1, event2);
    }

    private static long seconds(Map<String, Object> input, String key, long fallback) {
        Object value = input.getOrDefault(key, fallback);
        if (!(value instanceof Number number) || number.longValue() < 0) {
            throw new IllegalArgumentException(key + " must be a number of seconds, 0 or more; was " + value);
        }
        return number.longValue();
    }
}
