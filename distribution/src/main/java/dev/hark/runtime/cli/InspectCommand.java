package dev.hark.runtime.cli;

import dev.hark.workflow.internal.Json;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code hark inspect ID}: one workflow as an operator reads it, from {@code GET /workflows/{id}},
 * its {@code /graph} and, once it succeeded, its {@code /output}: status, times, each node with
 * its state and dependencies, the open waits, the events its waits took, buffered early events,
 * and its output or error.
 */
@Command(
        name = "inspect",
        mixinStandardHelpOptions = true,
        description = "Show a workflow's status, nodes, open waits, received events and output or error.")
final class InspectCommand extends WorkflowCommands.ClientCommand {

    /** Longest payload or argument shown in a table cell; {@code --json} shows them whole. */
    static final int CELL = 60;

    private static final String NONE = "-";

    @Parameters(paramLabel = "WORKFLOW_ID")
    String id;

    @Option(
            names = "--json",
            description = "Print the server's replies as one JSON object: {\"workflow\", \"graph\", \"output\"?}.")
    boolean json;

    @Override
    public Integer call() {
        return run(() -> {
            AdminClient client = client();
            String path = "/workflows/" + id;
            JsonNode detail = client.get(path);
            JsonNode graph = client.get(path + "/graph");
            String status = text(detail, "status");
            JsonNode output =
                    "SUCCESSFUL".equals(status) ? client.get(path + "/output").get("output") : null;
            if (json) {
                ObjectNode all = Json.MAPPER.createObjectNode();
                all.set("workflow", detail);
                all.set("graph", graph);
                if (output != null) {
                    all.set("output", output);
                }
                out().println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(all));
            } else {
                print(out(), detail, graph, output);
            }
            out().flush();
        });
    }

    private static void print(PrintWriter out, JsonNode detail, JsonNode graph, JsonNode output) {
        Table head = new Table("workflow", text(detail, "workflow_id"));
        head.add("status", text(detail, "status"));
        if (detail.has("created_at")) {
            head.add("created", text(detail, "created_at"));
        }
        if (detail.has("updated_at")) {
            head.add("status since", text(detail, "updated_at"));
        }
        head.print(out, "");

        Table nodes = new Table("ID", "KIND", "STATE", "LABEL", "DEPENDS ON");
        Table events = new Table("TASK", "LISTENER", "STATE", "PAYLOAD");
        for (JsonNode node : graph.path("nodes")) {
            StringBuilder dependencies = new StringBuilder();
            for (JsonNode dependency : node.path("dependencies")) {
                dependencies.append(dependencies.isEmpty() ? "" : ", ").append(dependency.asString());
            }
            nodes.add(
                    text(node, "id"),
                    text(node, "kind"),
                    text(node, "state"),
                    text(node, "label"),
                    dependencies.isEmpty() ? NONE : dependencies.toString());
            if (node.has("event")) {
                events.add(text(node, "id"), text(node, "label"), text(node, "state"), abbreviated(node.get("event")));
            }
        }
        section(out, "nodes", nodes);

        Table waits = new Table("TASK", "LISTENER", "ARGS", "DEADLINE", "RACE");
        for (JsonNode wait : detail.path("waits")) {
            String listener = text(wait, "listener");
            waits.add(
                    text(wait, "task"),
                    listener.substring(listener.lastIndexOf('.') + 1),
                    abbreviated(wait.get("args")),
                    wait.has("deadline") ? text(wait, "deadline") : NONE,
                    wait.has("race") ? text(wait, "race") : NONE);
        }
        section(out, "open waits", waits);
        section(out, "events received", events);

        if (detail.has("buffered_events")) {
            Table buffered = new Table("EVENT_KEY", "EVENT_ID", "RECEIVED", "EXPIRES");
            for (JsonNode event : detail.get("buffered_events")) {
                buffered.add(
                        text(event, "event_key"),
                        text(event, "event_id"),
                        text(event, "received_at"),
                        text(event, "expires_at"));
            }
            section(out, "buffered early events", buffered);
        }

        if (detail.has("error")) {
            out.println();
            out.println("error: " + text(detail, "error"));
        }
        if (output != null) {
            out.println();
            out.println("output:");
            Json.MAPPER
                    .writerWithDefaultPrettyPrinter()
                    .writeValueAsString(output)
                    .lines()
                    .forEach(line -> out.println("  " + line));
        }
    }

    /** A titled, indented table, or the title with "none" when it has no rows. */
    private static void section(PrintWriter out, String title, Table table) {
        out.println();
        if (table.isEmpty()) {
            out.println(title + ": none");
            return;
        }
        out.println(title + ":");
        table.print(out, "  ");
    }

    /** A JSON value on one line, cut to {@link #CELL} characters. */
    static String abbreviated(JsonNode value) {
        if (value == null || value.isMissingNode()) {
            return NONE;
        }
        String line = value.toString();
        return line.length() <= CELL ? line : line.substring(0, CELL - 3) + "...";
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? NONE : value.asString();
    }
}
