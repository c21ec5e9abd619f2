package dev.hark.runtime.cli;

import dev.hark.workflow.internal.Json;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import java.util.function.Function;
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

    /** What every client command shares: the server option, the streams, and error mapping. */
    abstract static class ClientCommand implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        AdminClient.ServerOption server = new AdminClient.ServerOption();

        /** Where {@code HARK_TOKEN} is read; tests give their own. */
        Function<String, String> environment = System::getenv;

        AdminClient client() throws AdminClient.BadUsage {
            return new AdminClient(server, environment);
        }

        PrintWriter out() {
            return spec.commandLine().getOut();
        }

        int run(AdminClient.ClientCall call) {
            return AdminClient.run(spec.commandLine().getErr(), call);
        }
    }

    @Command(
            name = "start",
            mixinStandardHelpOptions = true,
            description = "Start a workflow from a workflow definition the server has (from a plugin).")
    static final class Start extends ClientCommand {
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
            return run(() -> {
                JsonNode started = client().post("/workflows", body);
                out().println(started.get("workflow_id").asString());
            });
        }
    }

    @Command(
            name = "status",
            mixinStandardHelpOptions = true,
            description = "Print a workflow's status and, while it runs, what it waits for.")
    static final class Status extends ClientCommand {
        @Parameters(paramLabel = "WORKFLOW_ID")
        String id;

        @Override
        public Integer call() {
            return run(() -> {
                JsonNode status = client().get("/workflows/" + id);
                out().println(status.get("status").asString());
                if (status.has("error")) {
                    out().println(status.get("error").asString());
                }
                if (status.has("waits")) {
                    for (JsonNode wait : status.get("waits")) {
                        out().println(describeWait(wait));
                    }
                }
            });
        }

        /** One line per open wait: {@code waiting for <listener> <args> [until <deadline>] (task <id>[, race <id>])}. */
        private static String describeWait(JsonNode wait) {
            String listener = wait.get("listener").asString();
            StringBuilder line = new StringBuilder("waiting for ")
                    .append(listener.substring(listener.lastIndexOf('.') + 1))
                    .append(' ')
                    .append(wait.get("args"));
            if (wait.has("deadline")) {
                line.append(" until ").append(wait.get("deadline").asString());
            }
            line.append(" (task ").append(wait.get("task").asString());
            if (wait.has("race")) {
                line.append(", race ").append(wait.get("race").asString());
            }
            line.append(')');
            return line.toString();
        }
    }

    @Command(
            name = "output",
            mixinStandardHelpOptions = true,
            description = "Print a finished workflow's output as JSON.")
    static final class Output extends ClientCommand {
        @Parameters(paramLabel = "WORKFLOW_ID")
        String id;

        @Override
        public Integer call() {
            return run(() -> out().println(Json.MAPPER
                    .writerWithDefaultPrettyPrinter()
                    .writeValueAsString(
                            client().get("/workflows/" + id + "/output").get("output"))));
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List workflows and their statuses.")
    static final class ListWorkflows extends ClientCommand {
        @Option(
                names = "--status",
                paramLabel = "STATUS",
                description = "Only this status: RUNNING, SUCCESSFUL, FAILED, RESUMABLE or CANCELED.")
        String status;

        /** Workflows asked for per request; the server's largest page. */
        static final int PAGE = 10_000;

        @Option(
                names = "--limit",
                paramLabel = "N",
                description = "Print at most N workflows (default: all, fetched a page at a time).")
        Integer limit;

        @Option(
                names = "--after",
                paramLabel = "WORKFLOW_ID",
                description = "Start after this id (ids are listed in order): the last id of the previous run,"
                        + " to page with --limit.")
        String startAfter;

        @Option(
                names = "--page-size",
                hidden = true,
                defaultValue = "10000",
                description = "Workflows asked for per request (1 to 10000).")
        int pageSize;

        @Override
        public Integer call() {
            if (pageSize < 1 || pageSize > PAGE) {
                spec.commandLine().getErr().println("hark: --page-size must be 1 to " + PAGE + ", was " + pageSize);
                return ExitCodes.USAGE;
            }
            if (limit != null && limit < 1) {
                spec.commandLine().getErr().println("hark: --limit must be at least 1, was " + limit);
                return ExitCodes.USAGE;
            }
            return run(() -> {
                AdminClient client = client();
                Table table = new Table("WORKFLOW_ID", "STATUS");
                int left = limit == null ? Integer.MAX_VALUE : limit;
                String after = startAfter == null || startAfter.isEmpty() ? null : startAfter;
                String last = null;
                boolean more = false;
                do {
                    StringBuilder path = new StringBuilder("/workflows?limit=").append(Math.min(left, pageSize));
                    if (status != null) {
                        path.append("&status=").append(URLEncoder.encode(status, StandardCharsets.UTF_8));
                    }
                    if (after != null) {
                        path.append("&after=").append(URLEncoder.encode(after, StandardCharsets.UTF_8));
                    }
                    JsonNode page = client.get(path.toString());
                    for (JsonNode w : page.get("workflows")) {
                        if (left-- > 0) {
                            last = w.get("workflow_id").asString();
                            table.add(last, w.get("status").asString());
                        } else {
                            more = true;
                        }
                    }
                    JsonNode next = page.get("next");
                    after = next == null || next.isNull() ? null : next.asString();
                    more |= after != null && left <= 0;
                } while (after != null && left > 0);
                table.print(out());
                if (more) {
                    // stderr, so that a script reading the table is not disturbed
                    PrintWriter err = spec.commandLine().getErr();
                    err.println("hark: more workflows follow; the next page: hark list --after " + last
                            + (limit == null ? "" : " --limit " + limit)
                            + (status == null ? "" : " --status " + status));
                    err.flush();
                }
            });
        }
    }

    @Command(
            name = "cancel",
            mixinStandardHelpOptions = true,
            description = "Cancel a workflow; its pending waits commit nothing.")
    static final class Cancel extends ClientCommand {
        @Parameters(paramLabel = "WORKFLOW_ID")
        String id;

        @Override
        public Integer call() {
            return run(() -> out().println(client().post("/workflows/" + id + "/cancel", null)
                    .get("status")
                    .asString()));
        }
    }
}
