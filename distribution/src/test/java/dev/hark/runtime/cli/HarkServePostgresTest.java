package dev.hark.runtime.cli;

import static dev.hark.runtime.cli.ServeChildren.awaitOutput;
import static dev.hark.runtime.cli.ServeChildren.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hark.runtime.plugin.TestPlugins;
import dev.hark.runtime.storage.postgres.PostgresSettings;
import dev.hark.runtime.storage.postgres.TestPostgres;
import dev.hark.runtime.testing.Await;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hark serve --store jdbc:postgresql://…} as a real child process on the test PostgreSQL:
 * a workflow started and its event checkpointed (200) before a SIGKILL completes after the restart
 * with that event's payload, exactly once (the restarted node takes over its previous incarnation's
 * workflows at once); a second server on the same database joins as a second node.
 */
class HarkServePostgresTest {

    private static final HttpClient CLIENT =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    static Path plugins;

    private static PostgresSettings database;

    @TempDir
    Path logs;

    private final List<Process> children = new ArrayList<>();

    @BeforeAll
    static void pluginAndDatabase() throws IOException {
        String pkg = "com.acme.pg";
        // Two waits in a row: the first event's checkpoint is durable (200) while the workflow is
        // still running, so a SIGKILL then leaves it RUNNING with one checkpointed event.
        TestPlugins.plugin("pairs")
                .version("1.0.0")
                .source(
                        pkg + ".Steps",
                        "package " + pkg + ";\n"
                                + "import dev.hark.listeners.http.HttpEvent;\n"
                                + "public final class Steps {\n"
                                + "  public static String pair(HttpEvent a, HttpEvent b) {\n"
                                + "    return a.eventPayload() + \"+\" + b.eventPayload();\n"
                                + "  }\n"
                                + "}\n")
                .source(
                        pkg + ".Pair",
                        "package " + pkg + ";\n"
                                + "import dev.hark.workflow.*;\n"
                                + "import dev.hark.listeners.http.*;\n"
                                + "import java.util.Map;\n"
                                + "public class Pair implements WorkflowDefinition {\n"
                                + "  public String name() { return \"pair\"; }\n"
                                + "  public Node<?> build(Map<String, Object> input) {\n"
                                + "    return Dag.task(Steps::pair).bind(Dag.waitForEvent(HttpListener.class, \"first\"),\n"
                                + "        Dag.waitForEvent(HttpListener.class, \"second\"));\n"
                                + "  }\n"
                                + "}\n")
                .definitions(pkg + ".Pair")
                .writeJar(plugins);
        database = TestPostgres.freshDatabase();
    }

    @AfterEach
    void killLeftovers() {
        children.forEach(Process::destroyForcibly);
    }

    @Test
    void aCheckpointedEventSurvivesSigkillAndTheWorkflowCompletesWithItExactlyOnce(@TempDir Path data)
            throws Exception {
        Process first = serve("first", data);
        String server = awaitListening("first");
        awaitLine("first", "Store: PostgreSQL " + database.jdbcUrl());

        assertEquals(
                201,
                post(server + "/workflows", "{\"definition\": \"pair\", \"workflow_id\": \"p1\"}")
                        .statusCode());
        assertEquals(200, sendEvent(server, "p1", "first", "Ada", "ada-1").statusCode());
        first.destroyForcibly(); // SIGKILL
        assertTrue(first.waitFor(30, TimeUnit.SECONDS));

        serve("second", data);
        String restarted = awaitListening("second");
        awaitLine("second", "resumed 1 workflow(s) [p1]");
        // The same send again, as a client unsure of its first try would: recorded before, so nothing new.
        HttpResponse<String> again = sendEvent(restarted, "p1", "first", "Ada", "ada-1");
        assertEquals(200, again.statusCode(), again.body());
        assertTrue(again.body().contains("already_recorded"), again.body());
        assertEquals(
                200, sendEvent(restarted, "p1", "second", "Grace", "grace-1").statusCode());
        assertEquals("Ada+Grace", awaitOutput(restarted, "p1").asString());

        try (Connection c = TestPostgres.server().connect(database(database));
                PreparedStatement p = c.prepareStatement(
                        "SELECT state FROM tasks WHERE workflow_id = ? AND output LIKE '%\"eventPayload\":\"Ada\"%'")) {
            p.setString(1, "p1");
            try (ResultSet rs = p.executeQuery()) {
                List<String> rows = new ArrayList<>();
                while (rs.next()) {
                    rows.add(rs.getString(1));
                }
                assertEquals(List.of("COMMITTED"), rows, "the first event was recorded once, and committed");
            }
        }
    }

    @Test
    void aSecondServerOnTheSameDatabaseJoinsAsASecondNodeAndEitherServesTheOthersWorkflows(
            @TempDir Path data, @TempDir Path otherData) throws Exception {
        serve("one", data, "--node-name", "one");
        String one = awaitListening("one");
        serve("two", otherData, "--node-name", "two");
        String two = awaitListening("two");
        awaitLine("two", "node two");

        assertEquals(
                201,
                post(one + "/workflows", "{\"definition\": \"pair\", \"workflow_id\": \"p2\"}")
                        .statusCode());
        // p2 runs on node one; node two forwards its events there, and answers with one's reply
        HttpResponse<String> viaTwo = sendEvent(two, "p2", "first", "Ada", "ada-2");
        assertEquals(200, viaTwo.statusCode(), viaTwo.body());
        assertTrue(viaTwo.body().contains("checkpointed"), viaTwo.body());
        assertEquals(200, sendEvent(one, "p2", "second", "Grace", "grace-2").statusCode());
        // the admin API of either node sees every workflow
        assertEquals("Ada+Grace", awaitOutput(two, "p2").asString());
        assertEquals("Ada+Grace", awaitOutput(one, "p2").asString());
    }

    private static String database(PostgresSettings settings) {
        return settings.jdbcUrl().substring(settings.jdbcUrl().lastIndexOf('/') + 1);
    }

    private Process serve(String name, Path data, String... options) throws IOException {
        List<String> all = new ArrayList<>(List.of("--store", database.jdbcUrl()));
        all.addAll(List.of(options));
        ProcessBuilder builder = ServeChildren.serve(logs, name, data, plugins, all);
        builder.environment().remove(PostgresSettings.PASSWORD_VARIABLE);
        builder.environment().remove(PostgresSettings.PASSWORD_FILE_VARIABLE);
        builder.environment().put(PostgresSettings.USER_VARIABLE, TestPostgres.USER);
        Process process = builder.start();
        children.add(process);
        return process;
    }

    private String awaitListening(String name) throws Exception {
        return ServeChildren.awaitListening(logs, name);
    }

    private String logOf(String name) throws IOException {
        return ServeChildren.logOf(logs, name);
    }

    private void awaitLine(String name, String text) throws Exception {
        ServeChildren.awaitLine(logs, name, text);
    }

    private static HttpResponse<String> sendEvent(
            String server, String workflowId, String key, String payload, String idempotencyKey) throws Exception {
        return Await.value(
                () -> CLIENT.send(
                        HttpRequest.newBuilder(URI.create(server + "/event/send_event/" + workflowId))
                                .timeout(Duration.ofSeconds(30))
                                .header("Content-Type", "application/json")
                                .header("Idempotency-Key", idempotencyKey)
                                .POST(HttpRequest.BodyPublishers.ofString(
                                        "{\"event_key\": \"" + key + "\", \"event_payload\": \"" + payload + "\"}"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString()),
                response -> response.statusCode() != 404 && response.statusCode() != 503, // until the wait is parked
                response -> workflowId + "'s wait on " + key + " never registered: " + response.statusCode() + " "
                        + response.body());
    }
}
