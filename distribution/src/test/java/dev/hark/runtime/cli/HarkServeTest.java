package dev.hark.runtime.cli;

import static dev.hark.runtime.cli.ServeChildren.awaitOutput;
import static dev.hark.runtime.cli.ServeChildren.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hark.runtime.plugin.TestPlugins;
import dev.hark.runtime.testing.Await;
import dev.hark.workflow.internal.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hark serve} as a real child process with a plugin built at test time: start a workflow
 * through the admin API, send its event, read its output; SIGKILL while a workflow waits, start
 * again, and the workflow resumes and completes when its event arrives. The client commands run
 * in this JVM against the child.
 */
class HarkServeTest {

    private static final HttpClient CLIENT =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    static Path plugins;

    @TempDir
    Path dataDir;

    @TempDir
    Path logs;

    private final List<Process> children = new ArrayList<>();

    @BeforeAll
    static void buildPlugin() throws IOException {
        String pkg = "com.acme.serve";
        TestPlugins.plugin("greetings")
                .version("1.2.3")
                .source(
                        pkg + ".Steps",
                        "package " + pkg + ";\n"
                                + "import dev.hark.listeners.http.HttpEvent;\n"
                                + "public final class Steps {\n"
                                + "  public static String greet(HttpEvent e) { return \"hello \" + e.eventPayload(); }\n"
                                + "}\n")
                .source(
                        pkg + ".Greeting",
                        "package " + pkg + ";\n"
                                + "import dev.hark.workflow.*;\n"
                                + "import dev.hark.listeners.http.*;\n"
                                + "import java.util.Map;\n"
                                + "public class Greeting implements WorkflowDefinition {\n"
                                + "  public String name() { return \"greeting\"; }\n"
                                + "  public Node<?> build(Map<String, Object> input) {\n"
                                + "    return Dag.task(Steps::greet).bind(Dag.waitForEvent(HttpListener.class, \"name\"));\n"
                                + "  }\n"
                                + "}\n")
                .definitions(pkg + ".Greeting")
                .writeJar(plugins);
    }

    @AfterEach
    void killLeftovers() {
        children.forEach(Process::destroyForcibly);
    }

    @Test
    void serveStartsAWorkflowFromAPluginDeliversItsEventAndSurvivesSigkill() throws Exception {
        Process first = serve("first");
        String server = awaitListening("first");

        assertEquals(
                201,
                post(server + "/workflows", "{\"definition\": \"greeting\", \"workflow_id\": \"w1\"}")
                        .statusCode());
        assertEquals(200, sendEvent(server, "w1", "Ada").statusCode());
        assertEquals("hello Ada", awaitOutput(server, "w1").asString());

        StringWriter out = new StringWriter();
        assertEquals(
                ExitCodes.OK,
                HarkCommand.execute(
                        new PrintWriter(out, true),
                        new PrintWriter(new StringWriter()),
                        "status",
                        "w1",
                        "--server",
                        server));
        assertEquals("SUCCESSFUL", out.toString().trim());

        out = new StringWriter();
        assertEquals(
                ExitCodes.OK,
                HarkCommand.execute(
                        new PrintWriter(out, true),
                        new PrintWriter(new StringWriter()),
                        "start",
                        "greeting",
                        "--id",
                        "w2",
                        "--server",
                        server));
        assertEquals("w2", out.toString().trim());
        first.destroyForcibly();
        assertTrue(first.waitFor(30, TimeUnit.SECONDS));

        serve("second");
        String restarted = awaitListening("second");
        awaitLine("second", "resumed 1 workflow(s) [w2]");
        out = new StringWriter();
        assertEquals(
                ExitCodes.OK,
                HarkCommand.execute(
                        new PrintWriter(out, true),
                        new PrintWriter(new StringWriter()),
                        "status",
                        "w2",
                        "--server",
                        restarted));
        List<String> status = out.toString().lines().toList();
        assertEquals("RUNNING", status.get(0), out.toString());
        assertEquals(2, status.size(), "one line for its one open wait: " + out);
        assertTrue(
                status.get(1).matches("waiting for HttpListener \".+\" \\(task \\S+\\)"),
                "the wait and its key: " + out);
        assertEquals(200, sendEvent(restarted, "w2", "Grace").statusCode());
        assertEquals("hello Grace", awaitOutput(restarted, "w2").asString());

        out = new StringWriter();
        assertEquals(
                ExitCodes.OK,
                HarkCommand.execute(
                        new PrintWriter(out, true),
                        new PrintWriter(new StringWriter()),
                        "list",
                        "--status",
                        "SUCCESSFUL",
                        "--server",
                        restarted));
        assertTrue(out.toString().contains("w1") && out.toString().contains("w2"), out.toString());
    }

    @Test
    void afterSigkillEveryEventForAParkedWorkflowIsAnswered503OrDeliveredNever404AndHealthGoesFromStartingToOk()
            throws Exception {
        serve("parking");
        String server = awaitListening("parking");
        int parked = 200;
        for (int i = 0; i < parked; i++) {
            assertEquals(
                    201,
                    post(server + "/workflows", "{\"definition\": \"greeting\", \"workflow_id\": \"p" + i + "\"}")
                            .statusCode());
        }
        Process first = children.get(children.size() - 1);
        first.destroyForcibly();
        assertTrue(first.waitFor(30, TimeUnit.SECONDS));

        serve("restarted");
        String restarted = awaitListening("restarted"); // printed before the workflows are resumed
        // Health first: "starting" (503) while resuming, then "ok" (200); never anything else.
        List<String> healthSeen = new ArrayList<>();
        Await.value(
                () -> {
                    HttpResponse<String> health = CLIENT.send(
                            HttpRequest.newBuilder(URI.create(restarted + "/health"))
                                    .GET()
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
                    String status =
                            Json.MAPPER.readTree(health.body()).get("status").asString();
                    healthSeen.add(health.statusCode() + " " + status);
                    assertTrue(
                            health.statusCode() == 503 && status.equals("starting")
                                    || health.statusCode() == 200 && status.equals("ok"),
                            healthSeen.toString());
                    if (health.statusCode() == 503) {
                        assertEquals(
                                "1", health.headers().firstValue("Retry-After").orElse(null));
                    }
                    return health;
                },
                health -> health.statusCode() == 200,
                health -> "health never became ok: " + healthSeen);
        // Every event, sent by a client that retries 503 and treats 404 as final (Ray's), is delivered.
        AtomicInteger posts = new AtomicInteger();
        for (int i = 0; i < parked; i++) {
            String workflowId = "p" + i;
            String body = "{\"event_key\": \"name\", \"event_payload\": \"n" + i + "\"}";
            HttpResponse<String> response = Await.value(
                    () -> {
                        posts.incrementAndGet();
                        HttpResponse<String> answer = post(restarted + "/event/send_event/" + workflowId, body);
                        assertTrue(
                                answer.statusCode() != 404,
                                workflowId + " got 404 after the restart: " + answer.body());
                        return answer;
                    },
                    answer -> answer.statusCode() != 503,
                    answer -> workflowId + " still answered 503: " + answer.body());
            assertEquals(200, response.statusCode(), workflowId + ": " + response.body());
        }
        awaitLine("restarted", "resumed " + parked + " workflow(s)");
        assertEquals(
                "hello n" + (parked - 1),
                awaitOutput(restarted, "p" + (parked - 1)).asString(),
                "health seen " + healthSeen + ", retries " + (posts.get() - parked));
    }

    @Test
    void sigtermShutsDownCleanlyAndReleasesTheDataFolder() throws Exception {
        Process process = serve("term");
        awaitListening("term");
        process.destroy();
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "serve did not stop on SIGTERM");
        serve("again");
        awaitListening("again");
    }

    @Test
    void aSecondServerOnTheSameDataFolderOrPortRefusesToStartWithOneClearLine() throws Exception {
        serve("owner");
        String server = awaitListening("owner");
        Process sameFolder = serve("same-folder");
        assertTrue(sameFolder.waitFor(60, TimeUnit.SECONDS));
        String out = Files.readString(logs.resolve("same-folder.out"));
        assertEquals(ExitCodes.REFUSED, sameFolder.exitValue(), out);
        assertTrue(
                out.contains("hark: cannot start: data folder") && out.contains("in use by another Hark runtime"), out);
        assertTrue(!out.contains("\tat "), "no stack trace: " + out);

        int port = URI.create(server).getPort();
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process samePort = new ProcessBuilder(
                        java.toString(),
                        "-cp",
                        TestPlugins.classPath(),
                        HarkCommand.class.getName(),
                        "serve",
                        "--data",
                        logs.resolve("other-data").toString(),
                        "--plugins",
                        plugins.toString(),
                        "--port",
                        String.valueOf(port))
                .redirectErrorStream(true)
                .redirectOutput(logs.resolve("same-port.out").toFile())
                .start();
        children.add(samePort);
        assertTrue(samePort.waitFor(60, TimeUnit.SECONDS));
        String portOut = Files.readString(logs.resolve("same-port.out"));
        assertEquals(ExitCodes.REFUSED, samePort.exitValue(), portOut);
        assertTrue(portOut.contains("hark: cannot start: cannot serve HTTP on 127.0.0.1:" + port), portOut);
    }

    @Test
    void withTokensTheServerServesTheClientThatSendsOneAndTheAdminApiListensOnItsOwnPort(@TempDir Path secrets)
            throws Exception {
        String admin = "admin-token-0123456789";
        String events = "events-token-0123456789";
        Path tokens = Files.writeString(secrets.resolve("tokens.txt"), "admin " + admin + "\n");
        serve(
                "tokens",
                Map.of("HARK_TOKENS", "events:w " + events),
                "--tokens",
                tokens.toString(),
                "--admin-port",
                "0");
        String server = awaitListening("tokens");
        awaitLine("tokens", "Credentials:");
        Matcher adminLine =
                Pattern.compile("Admin API on (http://[0-9.]+:[0-9]+)").matcher(logOf("tokens"));
        assertTrue(adminLine.find(), logOf("tokens"));
        String adminServer = adminLine.group(1);
        assertTrue(logOf("tokens").contains("1 admin token(s), 1 events token(s)"), logOf("tokens"));

        StringWriter err = new StringWriter();
        assertEquals(
                ExitCodes.REFUSED,
                HarkCommand.execute(
                        new PrintWriter(new StringWriter()),
                        new PrintWriter(err, true),
                        Map.of(),
                        "start",
                        "greeting",
                        "--id",
                        "w3",
                        "--server",
                        adminServer));
        assertTrue(err.toString().contains("401") && err.toString().contains("HARK_TOKEN"), err.toString());

        StringWriter out = new StringWriter();
        assertEquals(
                ExitCodes.OK,
                HarkCommand.execute(
                        new PrintWriter(out, true),
                        new PrintWriter(new StringWriter()),
                        Map.of("HARK_TOKEN", admin),
                        "start",
                        "greeting",
                        "--id",
                        "w3",
                        "--server",
                        adminServer));
        assertEquals("w3", out.toString().trim());

        Path eventsFile = Files.writeString(secrets.resolve("events.txt"), events + "\n");
        err = new StringWriter();
        assertEquals(
                ExitCodes.REFUSED,
                HarkCommand.execute(
                        new PrintWriter(new StringWriter()),
                        new PrintWriter(err, true),
                        Map.of("HARK_TOKEN", admin),
                        "status",
                        "w3",
                        "--server",
                        adminServer,
                        "--token-file",
                        eventsFile.toString()));
        assertTrue(
                err.toString().contains("403") && err.toString().contains("--token-file"),
                "the file wins over the variable: " + err);

        HttpResponse<String> unsigned =
                post(server + "/event/send_event/w3", "{\"event_key\": \"name\", \"event_payload\": \"Eve\"}");
        assertEquals(401, unsigned.statusCode(), unsigned.body());
        HttpRequest signedIn = HttpRequest.newBuilder(URI.create(server + "/event/send_event/w3"))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + events)
                .POST(HttpRequest.BodyPublishers.ofString("{\"event_key\": \"name\", \"event_payload\": \"Eve\"}"))
                .build();
        HttpResponse<String> sent = Await.value(
                () -> CLIENT.send(signedIn, HttpResponse.BodyHandlers.ofString()),
                response -> response.statusCode() != 404, // until the new workflow's wait is parked
                response -> "w3's wait never registered: 404 " + response.body());
        assertEquals(200, sent.statusCode(), sent.body());
        Await.value(
                () -> {
                    StringWriter output = new StringWriter();
                    HarkCommand.execute(
                            new PrintWriter(output, true),
                            new PrintWriter(new StringWriter()),
                            Map.of("HARK_TOKEN", admin),
                            "output",
                            "w3",
                            "--server",
                            adminServer);
                    return output.toString();
                },
                output -> output.contains("hello Eve"),
                output -> "hark output w3 never printed 'hello Eve': " + output);
    }

    @Test
    void clientCommandsReportRefusalsAndAnUnreachableServerWithTheirExitCodes() throws Exception {
        serve("codes");
        String server = awaitListening("codes");
        StringWriter err = new StringWriter();
        assertEquals(
                ExitCodes.REFUSED,
                HarkCommand.execute(
                        new PrintWriter(new StringWriter()),
                        new PrintWriter(err, true),
                        "status",
                        "missing",
                        "--server",
                        server));
        assertTrue(err.toString().contains("404") && err.toString().contains("missing"), err.toString());

        err = new StringWriter();
        assertEquals(
                ExitCodes.REFUSED,
                HarkCommand.execute(
                        new PrintWriter(new StringWriter()),
                        new PrintWriter(err, true),
                        "start",
                        "no-such-definition",
                        "--server",
                        server));
        assertTrue(
                err.toString().contains("no-such-definition") && !err.toString().contains("greeting"),
                "names the requested definition, not every one it has: " + err);

        err = new StringWriter();
        assertEquals(
                ExitCodes.UNREACHABLE,
                HarkCommand.execute(
                        new PrintWriter(new StringWriter()),
                        new PrintWriter(err, true),
                        "status",
                        "w",
                        "--server",
                        "http://127.0.0.1:1"));
        assertTrue(err.toString().contains("cannot reach"), err.toString());

        assertEquals(
                ExitCodes.USAGE,
                HarkCommand.execute(
                        new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()), "status"));
    }

    @Test
    void pluginsCheckExitsZeroForAGoodJarAndOneWithTheReportForABadOne(@TempDir Path bad) throws Exception {
        StringWriter out = new StringWriter();
        assertEquals(
                ExitCodes.OK,
                HarkCommand.execute(
                        new PrintWriter(out, true),
                        new PrintWriter(new StringWriter()),
                        "plugins",
                        "check",
                        plugins.resolve("greetings.jar").toString()));
        assertTrue(out.toString().contains("OK, 0 listener(s), 1 workflow definition(s)"), out.toString());

        String pkg = "com.acme.broken";
        Path jar = TestPlugins.plugin("broken")
                .source(pkg + ".EchoEvent", TestPlugins.echoEvent(pkg))
                .source(pkg + ".NeedsArg", TestPlugins.listener(pkg, "NeedsArg", "public NeedsArg(String x) {}"))
                .listeners(pkg + ".NeedsArg")
                .writeJar(bad);
        out = new StringWriter();
        assertEquals(
                ExitCodes.PLUGIN_REFUSED,
                HarkCommand.execute(
                        new PrintWriter(out, true),
                        new PrintWriter(new StringWriter()),
                        "plugins",
                        "check",
                        jar.toString()));
        assertTrue(out.toString().contains("NeedsArg") && out.toString().contains("L1.2"), out.toString());

        out = new StringWriter();
        assertEquals(
                ExitCodes.OK,
                HarkCommand.execute(
                        new PrintWriter(out, true),
                        new PrintWriter(new StringWriter()),
                        "plugins",
                        "list",
                        "--plugins",
                        plugins.toString()));
        assertTrue(
                out.toString().contains("greetings")
                        && out.toString().contains("1.2.3")
                        && out.toString().contains("com.acme.serve.Greeting"),
                out.toString());
    }

    @Test
    void everyCommandHasHelp() {
        for (String[] command : List.of(
                new String[] {"--help"},
                new String[] {"serve", "--help"},
                new String[] {"plugins", "list", "--help"},
                new String[] {"plugins", "check", "--help"},
                new String[] {"start", "--help"},
                new String[] {"status", "--help"},
                new String[] {"output", "--help"},
                new String[] {"list", "--help"},
                new String[] {"cancel", "--help"})) {
            StringWriter out = new StringWriter();
            assertEquals(
                    ExitCodes.OK,
                    HarkCommand.execute(new PrintWriter(out, true), new PrintWriter(new StringWriter()), command));
            assertTrue(out.toString().startsWith("Usage: hark"), String.join(" ", command) + ": " + out);
        }
    }

    private Process serve(String name) throws IOException {
        return serve(name, Map.of());
    }

    private Process serve(String name, Map<String, String> environment, String... options) throws IOException {
        ProcessBuilder builder = ServeChildren.serve(logs, name, dataDir, plugins, List.of(options));
        builder.environment().putAll(environment);
        Process process = builder.start();
        children.add(process);
        return process;
    }

    private String awaitListening(String name) throws Exception {
        return ServeChildren.awaitListening(logs, name);
    }

    /** What {@code serve name} printed so far: nothing before it started. */
    private String logOf(String name) throws IOException {
        return ServeChildren.logOf(logs, name);
    }

    private void awaitLine(String name, String text) throws Exception {
        ServeChildren.awaitLine(logs, name, text);
    }

    private static HttpResponse<String> sendEvent(String server, String workflowId, String payload) throws Exception {
        return Await.value(
                () -> post(
                        server + "/event/send_event/" + workflowId,
                        "{\"event_key\": \"name\", \"event_payload\": \"" + payload + "\"}"),
                response -> response.statusCode() != 404, // until the workflow's wait is parked
                response -> workflowId + "'s wait never registered: 404 " + response.body());
    }
}
