package dev.hark.runtime.testing;

import dev.hark.listeners.http.HttpListener;
import dev.hark.workflow.Dag;
import dev.hark.workflow.Node;
import dev.hark.workflow.WorkflowDefinition;
import java.util.Map;

/** A workflow definition started by name: waits for an HTTP event under input key "key", then greets. */
public final class GreetingDefinition implements WorkflowDefinition {

    @Override
    public String name() {
        return "greet";
    }

    @Override
    public Node<?> build(Map<String, Object> input) {
        Object key = input.getOrDefault("key", "go");
        if (!(key instanceof String text) || text.isEmpty()) {
            throw new IllegalArgumentException("input.key must be a non-empty string, was " + key);
        }
        return Dag.task(Tasks::greet).bind(Dag.waitForEvent(HttpListener.class, text));
    }
}
