package dev.hark.kafka.demo;

import dev.hark.listeners.http.HttpEvent;
import dev.hark.listeners.http.HttpListener;
import dev.hark.workflow.Dag;
import dev.hark.workflow.Node;
import dev.hark.workflow.WorkflowDefinition;
import java.util.Map;

/** {@code http-one}: waits for one HTTP event under key {@code e}; the bench's HTTP side. */
public final class HttpOneDefinition implements WorkflowDefinition {

    @Override
    public String name() {
        return "http-one";
    }

    @Override
    public Node<?> build(Map<String, Object> input) {
        return Dag.task(HttpOneDefinition::id).bind(Dag.waitForEvent(HttpListener.class, "e"));
    }

    /** The event's id. */
    public static String id(HttpEvent event) {
        return event.id();
    }
}
