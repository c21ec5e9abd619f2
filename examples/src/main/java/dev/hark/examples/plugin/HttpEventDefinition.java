package dev.hark.examples.plugin;

import dev.hark.listeners.http.HttpListener;
import dev.hark.workflow.Dag;
import dev.hark.workflow.Node;
import dev.hark.workflow.WorkflowDefinition;
import java.util.Map;

/**
 * {@code seed-http}: waits for one HTTP event and describes it. Input: {@code {"event_key": "..."}}
 * (default {@code my_event_key}, as in Ray's example).
 */
public final class HttpEventDefinition implements WorkflowDefinition {

    @Override
    public String name() {
        return "seed-http";
    }

    @Override
    public Node<?> build(Map<String, Object> input) {
        Object key = input.getOrDefault("event_key", "my_event_key");
        if (!(key instanceof String text) || text.isEmpty()) {
            throw new IllegalArgumentException("event_key must be a non-empty string; was " + key);
        }
        return Dag.task(ExampleTasks::received).bind(Dag.waitForEvent(HttpListener.class, text));
    }
}
