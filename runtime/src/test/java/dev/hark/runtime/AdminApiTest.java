package dev.hark.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hark.listeners.http.HttpEvent;
import dev.hark.listeners.http.HttpListener;
import dev.hark.listeners.timer.TimerEvent;
import dev.hark.listeners.timer.TimerListener;
import dev.hark.runtime.http.HttpSettings;
import dev.hark.runtime.testing.Await;
import dev.hark.runtime.testing.GreetingDefinition;
import dev.hark.workflow.Dag;
import dev.hark.workflow.Node;
import dev.hark.workflow.WaitResult;
import dev.hark.workflow.internal.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** The admin API over a real socket: start by definition, inspect, send the event, read the output. */
class AdminApiTest {

    private static final HttpClient CLIENT =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    Path dataDir;

    private Hark hark;

    @BeforeEach
    void open() {
        hark = Hark.builder()
                .dataDir(dataDir)
                .http(HttpSettings.defaults().withPort(0))
                .adminApi(true)
                .definitions(List.of(new GreetingDefinition()))
                .open();
    }

    @AfterEach
    void close() {
        hark.close();
    }

    @Test
    void startByDefinitionThenSendTheEventAndReadTheOutput() throws Exception {
        HttpResponse<String> started = call(
                "POST",
                "/workflows",
                "{\"definition\": \"greet\", \"workflow_id\": \"g-1\", \"input\": {\"key\": \"name\"}}");
        assertEquals(201, started.statusCode(), started.body());
        assertEquals("/workflows/g-1", started.headers().firstValue("Location").orElse(""));
        assertEquals("RUNNING", json(started).get("status").asString());

        assertEquals(
                "RUNNING",
                json(call("GET", "/workflows/g-1", null)).get("status").asString());
        HttpResponse<String> early = call("GET", "/workflows/g-1/output", null);
        assertEquals(409, early.statusCode(), early.body());
        assertEquals("wrong_status", json(early).get("error").asString());

        HttpResponse<String> event =
                awaitAccepted("/event/send_event/g-1", "{\"event_key\": \"name\", \"event_payload\": \"Ada\"}");
        assertEquals(200, event.statusCode(), event.body());

        HttpResponse<String> output = awaitOutput("/workflows/g-1/output");
        assertEquals("hello Ada", json(output).get("output").asString());
        JsonNode list = json(call("GET", "/workflows?status=successful", null)).get("workflows");
        assertEquals(1, list.size());
        assertEquals("g-1", list.get(0).get("workflow_id").asString());
    }

    @Test
    void aWaitingWorkflowShowsItsOpenWaitsUntilItTakesItsEvent() throws Exception {
        Instant sleepUntil = Instant.now().plus(Duration.ofDays(1));
        Node<String> dag = Dag.task(AdminApiTest::approval)
                .bind(
                        Dag.waitForEvent(HttpListener.class, "approve", Duration.ofHours(2)),
                        Dag.waitForEvent(TimerListener.class, sleepUntil));
        Instant before = Instant.now();
        hark.start(dag, "waits-1");

        JsonNode waits = Await.value(
                () -> json(call("GET", "/workflows/waits-1", null)).get("waits"),
                w -> w != null && w.size() == 3,
                w -> "three open waits expected: " + w);
        JsonNode http = waitOn(waits, "dev.hark.listeners.http.HttpListener");
        JsonNode timeout = waitOn(waits, "dev.hark.listeners.timer.TimerListener", "timeout");
        JsonNode timer = waitOn(waits, "dev.hark.listeners.timer.TimerListener", "TimerListener");
        assertEquals("approve", http.get("args").asString());
        assertEquals("wait_result", http.get("race").asString());
        Instant deadline = Instant.parse(http.get("deadline").asString());
        assertTrue(
                !deadline.isBefore(before.plus(Duration.ofHours(2)))
                        && deadline.equals(Instant.parse(timeout.get("deadline").asString())),
                "the timeout's deadline, fixed when the wait began: " + waits);
        assertEquals("wait_result", timeout.get("race").asString());
        assertEquals(sleepUntil.toString(), timer.get("deadline").asString());
        assertTrue(!timer.has("race"), timer.toString());

        assertEquals(
                200,
                awaitAccepted("/event/send_event/waits-1", "{\"event_key\": \"approve\", \"event_payload\": 1}")
                        .statusCode());
        JsonNode left = Await.value(
                () -> json(call("GET", "/workflows/waits-1", null)).get("waits"),
                w -> w.size() == 1,
                w -> "the race is won: only the timer is left, got " + w);
        assertEquals("TimerListener", left.get(0).get("task").asString());
        hark.cancel("waits-1");
        assertTrue(
                !json(call("GET", "/workflows/waits-1", null)).has("waits"), "a canceled workflow waits for nothing");
    }

    static String approval(WaitResult<HttpEvent> approval, TimerEvent later) {
        return approval.timedOut() ? "timed out" : "approved";
    }

    private static JsonNode waitOn(JsonNode waits, String listener, String... task) {
        for (JsonNode wait : waits) {
            if (wait.get("listener").asString().equals(listener)
                    && (task.length == 0 || wait.get("task").asString().equals(task[0]))) {
                return wait;
            }
        }
        throw new AssertionError("no wait on " + listener + " " + List.of(task) + " in " + waits);
    }

    @Test
    void healthReportsLoadAndDefinitions() throws Exception {
        HttpResponse<String> health = call("GET", "/health", null);
        assertEquals(200, health.statusCode());
        assertEquals("ok", json(health).get("status").asString());
        assertEquals("greet", json(health).get("definitions").get(0).asString());
    }

    @Test
    void cancelStopsARunningWorkflow() throws Exception {
        assertEquals(
                201,
                call("POST", "/workflows", "{\"definition\": \"greet\", \"workflow_id\": \"g-2\"}")
                        .statusCode());
        HttpResponse<String> cancelled = call("POST", "/workflows/g-2/cancel", null);
        assertEquals(200, cancelled.statusCode(), cancelled.body());
        assertEquals("CANCELED", json(cancelled).get("status").asString());
        assertEquals(
                404,
                call("POST", "/event/send_event/g-2", "{\"event_key\": \"go\", \"event_payload\": 1}")
                        .statusCode());
    }

    @Test
    void badRequestsGetSpecificErrors() throws Exception {
        assertError(call("POST", "/workflows", "{\"definition\": \"nope\"}"), 404, "unknown_definition");
        assertError(call("POST", "/workflows", "{\"workflow_id\": \"x\"}"), 400, "missing_field");
        assertError(call("POST", "/workflows", "{\"definition\": \"greet\", \"input\": [1]}"), 400, "wrong_type");
        assertError(
                call("POST", "/workflows", "{\"definition\": \"greet\", \"input\": {\"key\": 5}}"),
                400,
                "invalid_request");
        assertError(
                call("POST", "/workflows", "{\"definition\": \"greet\", \"workflow_id\": \"../x\"}"),
                400,
                "invalid_request");
        assertError(call("POST", "/workflows", "{broken"), 400, "malformed_json");
        assertEquals(
                201,
                call("POST", "/workflows", "{\"definition\": \"greet\", \"workflow_id\": \"dup\"}")
                        .statusCode());
        assertError(
                call("POST", "/workflows", "{\"definition\": \"greet\", \"workflow_id\": \"dup\"}"),
                409,
                "workflow_exists");
        assertError(call("GET", "/workflows/missing", null), 404, "unknown_workflow");
        assertError(call("GET", "/workflows?status=SLEEPY", null), 400, "invalid_field");
        assertError(call("DELETE", "/workflows/dup", null), 405, "method_not_allowed");
        assertError(call("GET", "/nowhere", null), 404, "not_found");
    }

    private HttpResponse<String> awaitAccepted(String path, String body) throws Exception {
        return Await.value(
                () -> call("POST", path, body),
                response -> response.statusCode() != 404, // until the workflow's wait is registered
                response -> "POST " + path + " still answered 404: " + response.body());
    }

    private HttpResponse<String> awaitOutput(String path) throws Exception {
        HttpResponse<String> response = Await.value(
                () -> call("GET", path, null),
                output -> output.statusCode() != 409, // until the workflow has finished
                output -> "GET " + path + " still answered 409: " + output.body());
        assertEquals(200, response.statusCode(), response.body());
        return response;
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
        assertTrue(!json(response).get("message").asString().isBlank());
    }
}
