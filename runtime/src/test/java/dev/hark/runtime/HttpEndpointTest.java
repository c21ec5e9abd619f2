package dev.hark.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hark.listeners.http.HttpEvent;
import dev.hark.listeners.http.HttpListener;
import dev.hark.runtime.http.HttpSettings;
import dev.hark.runtime.storage.sqlite.SqliteWorkflowStore;
import dev.hark.runtime.testing.Await;
import dev.hark.runtime.testing.HoldingStore;
import dev.hark.runtime.testing.RefusingStore;
import dev.hark.runtime.testing.Tasks;
import dev.hark.workflow.Dag;
import dev.hark.workflow.Node;
import dev.hark.workflow.internal.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** The HTTP endpoint over a real socket, driven by the JDK's HTTP client. */
class HttpEndpointTest {

    private static final HttpClient CLIENT =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    Path dataDir;

    private Hark hark;

    @AfterEach
    void close() {
        if (hark != null) {
            hark.close();
        }
    }

    private Hark open(HttpSettings settings, Function<Path, dev.hark.runtime.storage.WorkflowStore> store) {
        hark = Hark.builder().dataDir(dataDir).http(settings).store(store).open();
        return hark;
    }

    private Hark open() {
        return open(HttpSettings.defaults().withPort(0), SqliteWorkflowStore::open);
    }

    @Test
    void theSeedClientFlowEndToEnd() throws Exception {
        open();
        CompletableFuture<HttpEvent> out =
                hark.runAsync(Dag.waitForEvent(HttpListener.class, "my_event_key"), "workflow_receive_event_by_http");
        awaitInboxWaits(1);

        HttpResponse<String> response =
                postEvent("workflow_receive_event_by_http", "my_event_key", "\"my_event_message\"");

        assertEquals(200, response.statusCode(), response.body());
        HttpEvent event = out.get(30, TimeUnit.SECONDS);
        assertEquals("my_event_key", event.eventKey());
        assertEquals("my_event_message", event.eventPayload());
        assertEquals(event.id(), json(response).get("event_id").asString());
    }

    @Test
    void the200ReplyOfPlainIdsIsExactlyTheDocumentedJsonWithItsLength() throws Exception {
        open();
        CompletableFuture<HttpEvent> out = hark.runAsync(Dag.waitForEvent(HttpListener.class, "k-1"), "plain-wf");
        awaitInboxWaits(1);

        HttpResponse<String> response = postEvent("plain-wf", "k-1", "{\"n\": 1}");

        assertEquals(200, response.statusCode(), response.body());
        HttpEvent event = out.get(30, TimeUnit.SECONDS);
        assertEquals(
                "{\"status\":\"checkpointed\",\"workflow_id\":\"plain-wf\",\"event_key\":\"k-1\",\"event_id\":\""
                        + event.id() + "\"}",
                response.body());
        assertEquals(
                "application/json",
                response.headers().firstValue("Content-Type").orElse(null));
        assertEquals(
                String.valueOf(response.body().getBytes(java.nio.charset.StandardCharsets.UTF_8).length),
                response.headers().firstValue("Content-Length").orElse(null));
        // the connection stays open for the next request, whose reply is whole too
        CompletableFuture<HttpEvent> second = hark.runAsync(Dag.waitForEvent(HttpListener.class, "k-2"), "plain-wf-2");
        awaitInboxWaits(1);
        HttpResponse<String> next = postEvent("plain-wf-2", "k-2", "2");
        assertEquals(200, next.statusCode(), next.body());
        assertEquals(
                second.get(30, TimeUnit.SECONDS).id(),
                json(next).get("event_id").asString());
    }

    @Test
    void the200ReplyIsJsonNamingTheEventEvenForKeysThatNeedEscaping() throws Exception {
        open();
        String key = "quote\" backslash\\ tab\t é ✓ </script>";
        CompletableFuture<HttpEvent> out = hark.runAsync(Dag.waitForEvent(HttpListener.class, key), "escape-wf");
        awaitInboxWaits(1);
        String body = "{\"event_key\": " + Json.MAPPER.writeValueAsString(key) + ", \"event_payload\": 7}";

        // the workflow id percent-encoded in the path: decoded before it is looked up
        HttpResponse<String> response = send("POST", "/event/send_event/escape%2Dwf", "application/json", body);

        assertEquals(200, response.statusCode(), response.body());
        JsonNode reply = json(response);
        assertEquals("checkpointed", reply.get("status").asString(), response.body());
        assertEquals("escape-wf", reply.get("workflow_id").asString(), response.body());
        assertEquals(key, reply.get("event_key").asString(), response.body());
        HttpEvent event = out.get(30, TimeUnit.SECONDS);
        assertEquals(event.id(), reply.get("event_id").asString());
        assertEquals(key, event.eventKey());
        assertEquals(
                "application/json",
                response.headers().firstValue("Content-Type").orElse(null));
    }

    @Test
    void anEarlyPostGets404AndTheSamePostGets200OnceTheWaitExists() throws Exception {
        open();
        HttpResponse<String> early = postEvent("late-wf", "k", "{\"n\":1}");
        assertEquals(404, early.statusCode());
        assertEquals("unknown_workflow", json(early).get("error").asString(), early.body());

        CompletableFuture<HttpEvent> out = hark.runAsync(Dag.waitForEvent(HttpListener.class, "k"), "late-wf");
        awaitInboxWaits(1);
        assertEquals(200, postEvent("late-wf", "k", "{\"n\":1}").statusCode());
        assertEquals(Map.of("n", 1), out.get(30, TimeUnit.SECONDS).eventPayload());
    }

    @Test
    void aPostBeforeTheWaitOfARunningWorkflowIsRegisteredGets404NoWait() throws Exception {
        open();
        Node<HttpEvent> second =
                Dag.waitForEvent(HttpListener.class, Dag.task(Tasks::shout).bind(Dag.value("b")));
        hark.runAsync(
                Dag.task(Tasks::joinPayloads).bind(Dag.waitForEvent(HttpListener.class, "a"), second), "stepwise");
        awaitInboxWaits(2);
        HttpResponse<String> wrongKey = postEvent("stepwise", "c", "1");
        assertEquals(404, wrongKey.statusCode());
        assertEquals("no_wait_for_key", json(wrongKey).get("error").asString());
    }

    @Test
    void twoKeysInOneWorkflowPostedOneAfterTheOtherBothArrive() throws Exception {
        open();
        Node<HttpEvent> hello = Dag.waitForEvent(HttpListener.class, "first");
        Node<HttpEvent> world = Dag.waitForEvent(HttpListener.class, "second");
        CompletableFuture<String> out =
                hark.runAsync(Dag.task(Tasks::joinPayloads).bind(hello, world), "two-keys");
        awaitInboxWaits(2);

        assertEquals(200, postEvent("two-keys", "first", "\"hello\"").statusCode());
        HttpResponse<String> again = postEvent("two-keys", "first", "\"hello again\"");
        assertEquals(409, again.statusCode(), "a second event for a satisfied wait: " + again.body());
        assertEquals("already_received", json(again).get("error").asString());
        assertEquals(200, postEvent("two-keys", "second", "\"world\"").statusCode());

        assertEquals("hello world", out.get(30, TimeUnit.SECONDS));
        HttpResponse<String> afterwards = postEvent("two-keys", "second", "\"late\"");
        assertEquals(404, afterwards.statusCode());
        assertEquals("workflow_finished", json(afterwards).get("error").asString());
    }

    @Test
    void twoWorkflowsWaitingOnTheSameKeyEachGetTheirOwnEventAndReply() throws Exception {
        open();
        CompletableFuture<HttpEvent> a = hark.runAsync(Dag.waitForEvent(HttpListener.class, "shared"), "wf-a");
        CompletableFuture<HttpEvent> b = hark.runAsync(Dag.waitForEvent(HttpListener.class, "shared"), "wf-b");
        awaitInboxWaits(2);

        HttpResponse<String> toB = postEvent("wf-b", "shared", "\"for b\"");
        assertEquals(200, toB.statusCode());
        assertEquals("wf-b", json(toB).get("workflow_id").asString());
        assertEquals("for b", b.get(30, TimeUnit.SECONDS).eventPayload());
        assertTrue(!a.isDone(), "a must not see b's event");

        HttpResponse<String> toA = postEvent("wf-a", "shared", "\"for a\"");
        assertEquals(200, toA.statusCode());
        assertEquals("for a", a.get(30, TimeUnit.SECONDS).eventPayload());
    }

    @Test
    void aStoreFailureAtCheckpointGets500AndTheEventIsStillDeliverableLater() throws Exception {
        open(HttpSettings.defaults().withPort(0), dir -> new RefusingStore(SqliteWorkflowStore.open(dir), 1));
        CompletableFuture<HttpEvent> out = hark.runAsync(Dag.waitForEvent(HttpListener.class, "k"), "flaky-disk");
        awaitInboxWaits(1);

        HttpResponse<String> failed = postEvent("flaky-disk", "k", "\"first try\"");
        assertEquals(500, failed.statusCode(), failed.body());
        assertEquals("checkpoint_failed", json(failed).get("error").asString());
        assertTrue(json(failed).get("message").asString().contains("disk is full"), failed.body());

        awaitInboxWaits(1);
        HttpResponse<String> retried = postEvent("flaky-disk", "k", "\"second try\"");
        assertEquals(200, retried.statusCode(), retried.body());
        assertEquals("second try", out.get(30, TimeUnit.SECONDS).eventPayload());
    }

    @Test
    void aCheckpointThatNeverFinishesIsAnswered503WithinTheReplyTimeout() throws Exception {
        open(
                HttpSettings.defaults().withPort(0).withReplyTimeout(Duration.ofMillis(300)),
                dir -> new HoldingStore(SqliteWorkflowStore.open(dir), dataDir.resolve("held")));
        hark.runAsync(Dag.waitForEvent(HttpListener.class, "k"), "hung-disk");
        awaitInboxWaits(1);

        HttpResponse<String> response = postEvent("hung-disk", "k", "1");
        assertEquals(503, response.statusCode(), response.body());
        assertEquals("checkpoint_timeout", json(response).get("error").asString());
        assertEquals("1", response.headers().firstValue("Retry-After").orElse(""));
    }

    @Test
    void aNullEventKeyDefaultsToTheTaskIdAsRayDid() throws Exception {
        open();
        CompletableFuture<HttpEvent> out =
                hark.runAsync(Dag.waitForEvent(HttpListener.class, (String) null), "default-key");
        awaitInboxWaits(1);
        assertEquals(200, postEvent("default-key", "HttpListener", "true").statusCode());
        assertEquals(Boolean.TRUE, out.get(30, TimeUnit.SECONDS).eventPayload());
    }

    @Test
    void malformedRequestsGetTheirDocumentedStatusAndTheServerKeepsServing() throws Exception {
        open(HttpSettings.defaults().withPort(0).withMaxBodyBytes(1024), SqliteWorkflowStore::open);
        CompletableFuture<HttpEvent> out = hark.runAsync(Dag.waitForEvent(HttpListener.class, "k"), "sturdy");
        awaitInboxWaits(1);
        String path = "/event/send_event/sturdy";

        assertError(send("POST", path, "application/json", "{not json"), 400, "malformed_json", null);
        assertError(send("POST", path, "application/json", "[1, 2]"), 400, "malformed_body", null);
        assertError(
                send("POST", path, "application/json", "{\"event_payload\": 1}"), 400, "missing_field", "event_key");
        assertError(
                send("POST", path, "application/json", "{\"event_key\": 7, \"event_payload\": 1}"),
                400,
                "wrong_type",
                "event_key");
        assertError(
                send("POST", path, "application/json", "{\"event_key\": \"\", \"event_payload\": 1}"),
                400,
                "invalid_field",
                "event_key");
        assertError(
                send("POST", path, "application/json", "{\"event_key\": \"k\"}"),
                400,
                "missing_field",
                "event_payload");
        assertError(
                send(
                        "POST",
                        path,
                        "application/json",
                        "{\"event_key\": \"k\", \"event_payload\": \"" + "x".repeat(2_000) + "\"}"),
                413,
                "body_too_large",
                null);
        HttpResponse<String> get = send("GET", path, null, null);
        assertError(get, 405, "method_not_allowed", null);
        assertEquals("POST", get.headers().firstValue("Allow").orElse(""));
        assertError(
                send("POST", path, "text/plain", "{\"event_key\": \"k\", \"event_payload\": 1}"),
                415,
                "unsupported_media_type",
                null);
        assertError(
                send(
                        "POST",
                        "/event/send_event/a..b",
                        "application/json",
                        "{\"event_key\": \"k\", \"event_payload\": 1}"),
                400,
                "invalid_workflow_id",
                "workflow_id");
        assertError(
                send(
                        "POST",
                        "/event/send_event/a%2Fb",
                        "application/json",
                        "{\"event_key\": \"k\", \"event_payload\": 1}"),
                400,
                "invalid_workflow_id",
                "workflow_id");
        assertError(send("POST", "/elsewhere", "application/json", "{}"), 404, "not_found", null);

        HttpResponse<String> good = postEvent("sturdy", "k", "{\"still\": \"serving\"}");
        assertEquals(200, good.statusCode(), good.body());
        assertEquals(Map.of("still", "serving"), out.get(30, TimeUnit.SECONDS).eventPayload());
    }

    @Test
    void sendEventFromJavaHasTheSameSemantics() throws Exception {
        open();
        assertTrue(hark.sendEvent("nobody", "k", 1).get() instanceof dev.hark.runtime.event.Delivery.NotWaiting n
                && n.reason() == dev.hark.runtime.event.Delivery.Reason.UNKNOWN_WORKFLOW);
        CompletableFuture<HttpEvent> out = hark.runAsync(Dag.waitForEvent(HttpListener.class, "k"), "java-sender");
        awaitInboxWaits(1);
        var delivery = hark.sendEvent("java-sender", "k", Map.of("list", List.of(1, 2)))
                .get(30, TimeUnit.SECONDS);
        assertTrue(delivery instanceof dev.hark.runtime.event.Delivery.Accepted, delivery.toString());
        assertEquals(
                Map.of("list", List.of(1, 2)), out.get(30, TimeUnit.SECONDS).eventPayload());
    }

    private void awaitInboxWaits(int count) throws InterruptedException {
        Await.until(
                () -> hark.metrics().inboxWaits() >= count,
                () -> "expected " + count + " inbox waits, have "
                        + hark.metrics().inboxWaits());
    }

    private HttpResponse<String> postEvent(String workflowId, String key, String payloadJson) throws Exception {
        return send(
                "POST",
                "/event/send_event/" + workflowId,
                "application/json",
                "{\"event_key\": \"" + key + "\", \"event_payload\": " + payloadJson + "}");
    }

    private HttpResponse<String> send(String method, String path, String contentType, String body) throws Exception {
        int port = hark.httpAddress().orElseThrow().getPort();
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30))
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) {
        return Json.MAPPER.readTree(response.body());
    }

    private static void assertError(HttpResponse<String> response, int status, String error, String field) {
        assertEquals(status, response.statusCode(), response.body());
        JsonNode body = json(response);
        assertEquals(error, body.get("error").asString(), response.body());
        assertTrue(!body.get("message").asString().isBlank(), response.body());
        if (field != null) {
            assertEquals(field, body.get("field").asString(), response.body());
        }
    }
}
