package dev.hark.runtime.cli;

import dev.hark.runtime.json.Json;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** The commands that talk to a running server's admin API. */
final class WorkflowCommands {

    private WorkflowCommands() {}

    @Command(name = "start", mixinStandardHelpOptions = true,
            description = "Start a workflow from a workflow definition the server has (from a plugin).")
    static final class Start implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        AdminClient.ServerOption server = new AdminClient.ServerOption();
        @Parameters(paramLabel = "DEFINITION", description = "Name of the workflow definition.")
        String definition;
        @Option(names = "--id", paramLabel = "WORKFLOW_ID", description = "Workflow id (default: generated).")
        String id;
        @Option(names = "--input", paramLabel = "JSON", description = "Input for the definition, a JSON object.")
        String input;

        @Override
        public Integer call() {
            ObjectNode body = Json.MAPPER.createObjectNode();
            body.put("definition", definition);
            if (id != null) {
                body.put("workflow_id", id);
            }
            if (input != null) {
                try {
                    body.set("input", Json.MAPPER.readTree(input));
                } catch (JacksonException e) {
                    spec.commandLine().getErr().println("hark: --input is not valid JSON: " + e.getOriginalMessage());
                    return ExitCodes.USAGE;
                }
            }
            return AdminClient.run(spec.commandLine().getErr(), () -> {
                JsonNode started = new AdminClient(server).post("/workflows", body);
                spec.commandLine().getOut().println(started.get("workflow_id").asString());
            });
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "Print a workflow's status.")
    static final class Status implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        AdminClient.ServerOption server = new AdminClient.ServerOption();
        @Parameters(paramLabel = "WORKFLOW_ID")
        String id;

        @Override
        public Integer call() {
            return AdminClient.run(spec.commandLine().getErr(), () -> {
                JsonNode status = new AdminClient(server).get("/workflows/" + id);
                spec.commandLine().getOut().println(status.get("status").asString());
                if (status.has("error")) {
                    spec.commandLine().getOut().println(status.get("error").asString());
                }
            });
        }
    }

    @Command(name = "output", mixinStandardHelpOptions = true,
            description = "Print a finished workflow's output as JSON.")
    static final class Output implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        AdminClient.ServerOption server = new AdminClient.ServerOption();
        @Parameters(paramLabel = "WORKFLOW_ID")
        String id;

        @Override
        public Integer call() {
            return AdminClient.run(spec.commandLine().getErr(), () -> spec.commandLine().getOut().println(
                    Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(
                            new AdminClient(server).get("/workflows/" + id + "/output").get("output"))));
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List workflows and their statuses.")
    static final class ListWorkflows implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        AdminClient.ServerOption server = new AdminClient.ServerOption();
        @Option(names = "--status", paramLabel = "STATUS",
                description = "Only this status: RUNNING, SUCCESSFUL, FAILED, RESUMABLE or CANCELED.")
        String status;

        @Override
        public Integer call() {
            return AdminClient.run(spec.commandLine().getErr(), () -> {
                JsonNode workflows = new AdminClient(server)
                        .get("/workflows" + (status == null ? "" : "?status=" + status)).get("workflows");
                Table table = new Table("WORKFLOW_ID", "STATUS");
                workflows.forEach(w -> table.add(w.get("workflow_id").asString(), w.get("status").asString()));
                table.print(spec.commandLine().getOut());
            });
        }
    }

    @Command(name = "cancel", mixinStandardHelpOptions = true,
            description = "Cancel a workflow; its pending waits commit nothing.")
    static final class Cancel implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        AdminClient.ServerOption server = new AdminClient.ServerOption();
        @Parameters(paramLabel = "WORKFLOW_ID")
        String id;

        @Override
        public Integer call() {
            return AdminClient.run(spec.commandLine().getErr(), () -> spec.commandLine().getOut().println(
                    new AdminClient(server).post("/workflows/" + id + "/cancel", null).get("status").asString()));
        }
    }
}
