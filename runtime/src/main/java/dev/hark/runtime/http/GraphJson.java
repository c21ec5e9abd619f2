package dev.hark.runtime.http;

import dev.hark.runtime.workflow.GraphNode;
import dev.hark.workflow.WorkflowStatus;
import dev.hark.workflow.internal.Json;
import java.util.List;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** The body of {@code GET /workflows/{id}/graph}. */
final class GraphJson {

    private GraphJson() {}

    static ObjectNode of(String workflowId, WorkflowStatus status, List<GraphNode> graph) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("workflow_id", workflowId);
        body.put("status", status.name());
        ArrayNode nodes = body.putArray("nodes");
        for (GraphNode node : graph) {
            ObjectNode entry = nodes.addObject();
            entry.put("id", node.id());
            entry.put("kind", node.kind());
            entry.put("label", node.label());
            entry.put("state", node.state().wireName());
            ArrayNode dependencies = entry.putArray("dependencies");
            node.dependencies().forEach(dependencies::add);
            if (node.event() != null) {
                entry.set("event", node.event());
            }
        }
        return body;
    }
}
