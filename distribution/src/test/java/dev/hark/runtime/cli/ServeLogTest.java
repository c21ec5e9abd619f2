package dev.hark.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hark.runtime.plugin.TestPlugins;
import dev.hark.runtime.testing.Await;
import dev.hark.workflow.internal.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * {@code hark serve}'s log as an operator reads it, from a child JVM with the distribution's
 * Logback configuration: a workflow whose task fails is logged at WARN with its id, its task and
 * its error, in JSON lines with {@code --log-format json} (every line of standard error one JSON
 * object, the workflow, task and listener as MDC fields) and in text lines by default.
 */
class ServeLogTest {

    private static final HttpClient CLIENT =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final Pattern LISTENING = Pattern.compile("Listening on (http://[0-9.]+:[0-9]+)");

    @TempDir
    static Path plugins;

    @TempDir
    Path dataDir;

    @TempDir
    Path logs;

    private final List<Process> children = new ArrayList<>();

    @BeforeAll
    static void buildPlugin() throws IOException {
        String pkg = "com.acme.logs";
        TestPlugins.plugin("payments")
                .version("1.0.0")
                .source(
                        pkg + ".Steps",
                        "package " + pkg + ";\n"
                                + "public final class Steps {\n"
                                + "  public static String charge(String order) {\n"
                                + "    throw new IllegalStateException(\"card declined for \" + order);\n"
                                + "  }\n"
                                + "}\n")
                .source(
                        pkg + ".Payment",
                        "package " + pkg + ";\n"
                                + "import dev.hark.workflow.*;\n"
                                + "import java.util.Map;\n"
                                + "public class Payment implements WorkflowDefinition {\n"
                                + "  public String name() { return \"payment\"; }\n"
                                + "  public Node<?> build(Map<String, Object> input) {\n"
                                + "    return Dag.task(Steps::charge).bind(Dag.value(\"order-7\"));\n"
                                + "  }\n"
                                + "}\n")
                .definitions(pkg + ".Payment")
                .writeJar(plugins);
    }

    @AfterEach
    void killChildren() {
        children.forEach(Process::destroyForcibly);
    }

    @Test
    void withTheJsonFlagAFailedWorkflowIsOneJsonLineAtWarnWithItsIdTaskAndError() throws Exception {
        String server = serve("json", "--log-format", "json");
        startPayment(server, "pay-1");

        JsonNode failure = Await.value(
                () -> jsonLines("json").stream()
                        .filter(line -> line.path("mdc")
                                        .path("workflow_id")
                                        .asString("")
                                        .equals("pay-1")
                                && line.path("level").asString("").equals("WARN"))
                        .findFirst()
                        .orElse(null),
                found -> found != null,
                found -> "no WARN line for pay-1 in:\n" + stderr("json"));
        assertEquals(
                "dev.hark.runtime.engine.WorkflowRun",
                failure.path("loggerName").asString(),
                failure.toString());
        String message = failure.path("formattedMessage").asString();
        assertTrue(message.startsWith("Workflow pay-1 failed: task "), failure.toString());
        assertTrue(message.contains("card declined for order-7"), failure.toString());
        String task = failure.path("mdc").path("task").asString("");
        assertFalse(task.isEmpty(), "the task as a field: " + failure);
        assertTrue(message.contains(task), "the field names the task the message names: " + failure);
        assertEquals(
                "java.lang.IllegalStateException",
                failure.path("throwable").path("className").asString(),
                "the error as a field: " + failure);
        assertTrue(jsonLines("json").size() >= 2, "the server's own lines are JSON too:\n" + stderr("json"));
    }

    @Test
    void byDefaultTheLogIsTextWithTheWorkflowAndTaskAfterTheMessage() throws Exception {
        String server = serve("text");
        startPayment(server, "pay-2");

        String log = Await.value(
                () -> stderr("text"),
                text -> text.contains("Workflow pay-2 failed"),
                text -> "no failure line for pay-2 in:\n" + text);
        String line = log.lines()
                .filter(l -> l.contains("Workflow pay-2 failed"))
                .findFirst()
                .orElseThrow();
        assertTrue(
                line.matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} WARN  \\[[^]]+] WorkflowRun - Workflow pay-2 failed: .*"),
                line);
        assertTrue(line.contains("card declined for order-7"), line);
        assertTrue(line.matches(".* \\[(.*, )?workflow_id=pay-2(, .*)?]$"), "the fields after the message: " + line);
        assertTrue(line.matches(".* \\[(.*, )?task=[^,\\]]+(, .*)?]$"), line);
        assertTrue(log.contains("java.lang.IllegalStateException: card declined for order-7"), "the trace:\n" + log);
        assertFalse(log.lines().anyMatch(l -> l.startsWith("{")), "no JSON unless asked:\n" + log);
    }

    private void startPayment(String server, String id) throws Exception {
        HttpResponse<String> started = CLIENT.send(
                HttpRequest.newBuilder(URI.create(server + "/workflows"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(
                                "{\"definition\": \"payment\", \"workflow_id\": \"" + id + "\"}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(201, started.statusCode(), started.body());
    }

    /** Every line of standard error, each of which must be one JSON object. */
    private List<JsonNode> jsonLines(String name) throws IOException {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : stderr(name).lines().toList()) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode node = Json.MAPPER.readTree(line);
            assertTrue(node.isObject(), "not a JSON object: " + line);
            lines.add(node);
        }
        return lines;
    }

    private String serve(String name, String... options) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>(List.of(
                java.toString(),
                "-cp",
                TestPlugins.classPath(),
                HarkCommand.class.getName(),
                "serve",
                "--data",
                dataDir.resolve(name).toString(),
                "--plugins",
                plugins.toString(),
                "--port",
                "0"));
        command.addAll(List.of(options));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectOutput(logs.resolve(name + ".out").toFile())
                .redirectError(logs.resolve(name + ".err").toFile());
        builder.environment().remove("HARK_TOKENS");
        children.add(builder.start());
        String out = Await.value(
                () -> read(logs.resolve(name + ".out")),
                text -> LISTENING.matcher(text).find(),
                text -> "serve never listened: " + text + "\nstderr:\n" + stderr(name));
        Matcher listening = LISTENING.matcher(out);
        assertTrue(listening.find());
        return listening.group(1);
    }

    private String stderr(String name) {
        return read(logs.resolve(name + ".err"));
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
