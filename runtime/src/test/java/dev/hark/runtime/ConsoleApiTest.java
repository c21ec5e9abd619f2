package dev.hark.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hark.listeners.http.HttpEvent;
import dev.hark.listeners.http.HttpListener;
import dev.hark.runtime.http.HttpSettings;
import dev.hark.runtime.testing.Await;
import dev.hark.runtime.testing.GreetingDefinition;
import dev.hark.runtime.testing.Tasks;
import dev.hark.workflow.Dag;
import dev.hark.workflow.FirstOf;
import dev.hark.workflow.WorkflowStatus;
import dev.hark.workflow.internal.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * What the console reads and does beyond the older admin API, over a real socket:
 * {@code GET /workflows/{id}/graph} (nodes, states, dependencies, the events waits took) and
 * {@code POST /workflows/{id}/resume}.
 */
class ConsoleApiTest {

    private static final HttpClient CLIENT =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    Path dataDir;

    private Hark hark;

    private Hark open() {
        hark = Hark.builder()
                .dataDir(dataDir)
                .http(HttpSettings.defaults().withPort(0))
                .adminApi(true)
                .definitions(List.of(new GreetingDefinition()))
                .open();
        return hark;
    }

    @AfterEach
    void close() {
        if (hark != null) {
            hark.close();
        }
    }

    @Test
    void theGraphShowsEachNodesStateAndTheEventAWaitTook() throws Exception {
        open();
        assertEquals(
                201,
                call(
                                "POST",
                                "/workflows",
                                "{\"definition\": \"greet\", \"workflow_id\": \"g-1\", \"input\": {\"key\":"
                                        + " \"name\"}}")
                        .statusCode());
        JsonNode waiting = Await.value(
                () -> json(call("GET", "/workflows/g-1/graph", null)),
                graph -> state(graph, "wait").equals("waiting"),
                graph -> "the wait should be waiting: " + graph);
        assertEquals("RUNNING", waiting.get("status").asString());
        assertEquals(2, waiting.get("nodes").size(), waiting.toString());
        JsonNode wait = node(waiting, "wait");
        JsonNode task = node(waiting, "task");
        assertEquals("HttpListener", wait.get("label").asString());
        assertEquals(0, wait.get("dependencies").size(), "its argument is a constant, left out: " + wait);
        assertTrue(!wait.has("event"), wait.toString());
        assertEquals("Tasks.greet", task.get("label").asString());
        assertEquals("pending", task.get("state").asString());
        assertEquals(List.of(wait.get("id").asString()), strings(task.get("dependencies")));

        assertEquals(200, awaitAccepted("g-1", "{\"event_key\": \"name\", \"event_payload\": {\"who\": \"Ada\"}}"));
        JsonNode done = Await.value(
                () -> json(call("GET", "/workflows/g-1/graph", null)),
                graph -> graph.get("status").asString().equals("SUCCESSFUL")
                        && state(graph, "wait").equals("committed"),
                graph -> "the workflow should be done and its event committed: " + graph);
        assertEquals("done", state(done, "task"));
        JsonNode event = node(done, "wait").get("event");
        assertEquals("name", event.get("eventKey").asString(), event.toString());
        assertEquals("Ada", event.get("eventPayload").get("who").asString(), event.toString());
    }

    @Test
    void aRaceShowsItsWinnerAndItsLoser() throws Exception {
        open();
        Hark.join(hark.start(
                        Dag.task(ConsoleApiTest::winner)
                                .bind(Dag.firstOf(
                                        Dag.waitForEvent(HttpListener.class, "left"),
                                        Dag.waitForEvent(HttpListener.class, "right"))),
                        "race-1")
                .started());
        JsonNode racing = Await.value(
                () -> json(call("GET", "/workflows/race-1/graph", null)),
                graph -> count(graph, "waiting") == 3, // both members and the race
                graph -> "both waits and the race should be waiting: " + graph);
        JsonNode race = node(racing, "first_of");
        assertEquals(2, race.get("dependencies").size(), race.toString());

        assertEquals(200, awaitAccepted("race-1", "{\"event_key\": \"right\", \"event_payload\": 1}"));
        JsonNode decided = Await.value(
                () -> json(call("GET", "/workflows/race-1/graph", null)),
                graph -> graph.get("status").asString().equals("SUCCESSFUL"),
                graph -> "the race should be decided: " + graph);
        assertEquals("done", state(decided, "first_of"));
        assertEquals(1, count(decided, "lost"), decided.toString());
        for (JsonNode wait : decided.get("nodes")) {
            if (wait.get("kind").asString().equals("wait")) {
                boolean won = wait.has("event");
                assertEquals(
                        won ? "right" : null,
                        won ? wait.get("event").get("eventKey").asString() : null);
                assertTrue(won != wait.get("state").asString().equals("lost"), wait.toString());
            }
        }
    }

    @Test
    void aFailedTaskIsMarkedFailed() throws Exception {
        open();
        Hark.join(hark.start(Dag.task(Tasks::alwaysFail).bind(Dag.value("x")), "fails-1")
                .started());
        JsonNode failed = Await.value(
                () -> json(call("GET", "/workflows/fails-1/graph", null)),
                graph -> graph.get("status").asString().equals("FAILED"),
                graph -> "the workflow should fail: " + graph);
        assertEquals("failed", state(failed, "task"));
    }

    @Test
    void resumeContinuesAResumableWorkflowAndRefusesTheRest() throws Exception {
        open();
        assertEquals(
                201,
                call(
                                "POST",
                                "/workflows",
                                "{\"definition\": \"greet\", \"workflow_id\": \"r-1\", \"input\": {\"key\":"
                                        + " \"name\"}}")
                        .statusCode());
        hark.close();
        open(); // without resumeAllOnOpen: r-1 stays RESUMABLE until asked
        assertEquals(WorkflowStatus.RESUMABLE, hark.status("r-1"));
        assertEquals(
                "waiting", state(json(call("GET", "/workflows/r-1/graph", null)), "wait"), "recorded, not running");

        HttpResponse<String> resumed = call("POST", "/workflows/r-1/resume", null);
        assertEquals(202, resumed.statusCode(), resumed.body());
        assertEquals("RUNNING", json(resumed).get("status").asString());
        assertError(call("POST", "/workflows/r-1/resume", null), 409, "wrong_status");
        assertEquals(200, awaitAccepted("r-1", "{\"event_key\": \"name\", \"event_payload\": \"Ada\"}"));
        assertEquals("hello Ada", Hark.join(hark.resumeAsync("r-1")));
        assertError(call("POST", "/workflows/r-1/resume", null), 409, "wrong_status");

        assertError(call("POST", "/workflows/nobody/resume", null), 404, "unknown_workflow");
        assertError(call("GET", "/workflows/r-1/resume", null), 405, "method_not_allowed");
        assertError(call("POST", "/workflows/r-1/graph", null), 405, "method_not_allowed");
        assertError(call("GET", "/workflows/nobody/graph", null), 404, "unknown_workflow");
        assertError(call("GET", "/workflows/bad%20id/graph", null), 400, "invalid_workflow_id");
    }

    static String winner(FirstOf<HttpEvent> first) {
        return first.event().eventKey();
    }

    private int awaitAccepted(String id, String body) throws Exception {
        return Await.value(
                        () -> call("POST", "/event/send_event/" + id, body),
                        response -> response.statusCode() != 404 && response.statusCode() != 503,
                        response -> "the event was not taken: " + response.body())
                .statusCode();
    }

    private static JsonNode node(JsonNode graph, String kind) {
        for (JsonNode node : graph.get("nodes")) {
            if (node.get("kind").asString().equals(kind)) {
                return node;
            }
        }
        throw new AssertionError("no " + kind + " node in " + graph);
    }

    private static String state(JsonNode graph, String kind) {
        return node(graph, kind).get("state").asString();
    }

    private static int count(JsonNode graph, String state) {
        int count = 0;
        for (JsonNode node : graph.get("nodes")) {
            count += node.get("state").asString().equals(state) ? 1 : 0;
        }
        return count;
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(value -> values.add(value.asString()));
        return values;
    }

    private HttpResponse<String> call(String method, String path, String body) throws Exception {
        int port = hark.httpAddress().orElseThrow().getPort();
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30))
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null || method.equals("POST")) {
            request.header("Content-Type", "application/json");
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) {
        return Json.MAPPER.readTree(response.body());
    }

    private static void assertError(HttpResponse<String> response, int status, String code) {
        assertEquals(status, response.statusCode(), response.body());
        assertEquals(code, json(response).get("error").asString(), response.body());
    }
}
