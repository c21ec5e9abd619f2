package dev.hark.examples.plugin;

import dev.hark.listeners.timer.TimerEvent;
import dev.hark.listeners.timer.TimerListener;
import dev.hark.workflow.Dag;
import dev.hark.workflow.DefinitionInput;
import dev.hark.workflow.Node;
import dev.hark.workflow.WorkflowDefinition;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * {@code seed-timers}: two timer events, gathered by a task once both fired. Input:
 * {@code {"first_seconds": 60, "second_seconds": 30}} (defaults 8 and 4), seconds from now, 0 to
 * {@link #MAX_DELAY} (100 days); fractions are honoured ({@code 1.5} is 1500 ms). Anything else is
 * refused (HTTP 400 naming the field), never overflowed or truncated.
 */
public final class TimerGatherDefinition implements WorkflowDefinition {

    /** The longest delay taken. */
    public static final Duration MAX_DELAY = Duration.ofDays(100);

    @Override
    public String name() {
        return "seed-timers";
    }

    @Override
    public Node<?> build(Map<String, Object> input) {
        Duration first = DefinitionInput.seconds(input, "first_seconds", Duration.ofSeconds(8), MAX_DELAY);
        Duration second = DefinitionInput.seconds(input, "second_seconds", Duration.ofSeconds(4), MAX_DELAY);
        Instant now = Instant.now();
        Node<TimerEvent> event1 = Dag.waitForEvent(TimerListener.class, now.plus(first));
        Node<TimerEvent> event2 = Dag.waitForEvent(TimerListener.class, now.plus(second));
        return Dag.task(ExampleTasks::gather).bind(event1, event2);
    }
}
