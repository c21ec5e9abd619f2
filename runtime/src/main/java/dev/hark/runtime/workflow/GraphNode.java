package dev.hark.runtime.workflow;

import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * One node of a workflow's graph as an operator reads it (the console draws these).
 *
 * @param id the node's task id, unique within its workflow
 * @param kind {@code task}, {@code wait} or {@code first_of}
 * @param label what the node runs: the task's method, the wait's listener (simple class name), or
 *     {@code firstOf}
 * @param state where it is, from what is durable
 * @param dependencies the ids of the nodes whose outputs it takes (constants are left out); a task
 *     that continued with a returned node also depends on that continuation's root
 * @param event the value a wait took (the checkpointed event, as stored), or null
 */
public record GraphNode(
        String id, String kind, String label, NodeState state, List<String> dependencies, JsonNode event) {

    public GraphNode {
        dependencies = List.copyOf(dependencies);
    }
}
