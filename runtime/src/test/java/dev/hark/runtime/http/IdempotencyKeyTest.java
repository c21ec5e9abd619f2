package dev.hark.runtime.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hark.listeners.http.HttpEvent;
import dev.hark.listeners.http.HttpListener;
import dev.hark.runtime.Hark;
import dev.hark.runtime.storage.sqlite.SqliteWorkflowStore;
import dev.hark.runtime.testing.Await;
import dev.hark.runtime.testing.GateStore;
import dev.hark.runtime.testing.Tasks;
import dev.hark.workflow.Dag;
import dev.hark.workflow.Node;
import dev.hark.workflow.WorkflowStatus;
import dev.hark.workflow.internal.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** Retries with an idempotency key are recorded once, answered 200 every time [R7.3]. */
class IdempotencyKeyTest {

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

    private Hark open() {
        hark = Hark.builder()
                .dataDir(dataDir)
                .http(HttpSettings.defaults().withPort(0))
                .open();
        return hark;
    }

    @Test
    void aResendIsAnswered200AlreadyRecordedAfterTheWorkflowFinishedAndAfterARestart() throws Exception {
        open();
        CompletableFuture<HttpEvent> out = hark.runAsync(Dag.waitForEvent(HttpListener.class, "paid"), "order-1");
        awaitInboxWaits(1);

        HttpResponse<String> first = post("order-1", "{\"event_key\":\"paid\",\"event_payload\":1}", "pay-42");
        assertEquals(200, first.statusCode(), first.body());
        assertEquals("checkpointed", json(first).get("status").asString());
        assertEquals("pay-42", json(first).get("event_id").asString());
        assertEquals("pay-42", out.get(30, TimeUnit.SECONDS).id(), "the key is the event's id");
        awaitStatus("order-1", WorkflowStatus.SUCCESSFUL);

        HttpResponse<String> again = post("order-1", "{\"event_key\":\"paid\",\"event_payload\":1}", "pay-42");
        assertEquals(200, again.statusCode(), again.body());
        assertEquals("already_recorded", json(again).get("status").asString(), again.body());
        assertEquals("pay-42", json(again).get("event_id").asString());

        hark.close();
        open();
        HttpResponse<String> afterRestart = post("order-1", "{\"event_key\":\"paid\",\"event_payload\":1}", "pay-42");
        assertEquals(200, afterRestart.statusCode(), afterRestart.body());
        assertEquals("already_recorded", json(afterRestart).get("status").asString(), afterRestart.body());

        HttpResponse<String> otherKey = post("order-1", "{\"event_key\":\"paid\",\"event_payload\":1}", "pay-43");
        assertEquals(
                404,
                otherKey.statusCode(),
                "a new key is a new event, and the workflow waits for none: " + otherKey.body());
    }

    @Test
    void aResendNeverReachesALaterWaitOnTheSameKey() throws Exception {
        open();
        Node<HttpEvent> first = Dag.waitForEvent(HttpListener.class, "step");
        Node<HttpEvent> second =
                Dag.waitForEvent(HttpListener.class, Dag.task(Tasks::keyOf).bind(first));
        CompletableFuture<String> out =
                hark.runAsync(Dag.task(Tasks::joinPayloads).bind(first, second), "two-steps");
        assertFalse(out.isDone());
        awaitInboxWaits(1);

        assertEquals(
                200,
                post("two-steps", "{\"event_key\":\"step\",\"event_payload\":\"one\"}", "k-1")
                        .statusCode());
        awaitInboxWaits(1); // the second wait, on the same key
        HttpResponse<String> retry = post("two-steps", "{\"event_key\":\"step\",\"event_payload\":\"one\"}", "k-1");
        assertEquals("already_recorded", json(retry).get("status").asString(), retry.body());
        assertFalse(out.isDone(), "the retry did not feed the second wait");

        // resumed by a new runtime: the keys are no longer known in memory, the claims still say so
        hark.close();
        open();
        CompletableFuture<Object> resumed = hark.resumeAll().get("two-steps");
        awaitInboxWaits(1);
        HttpResponse<String> afterRestart =
                post("two-steps", "{\"event_key\":\"step\",\"event_payload\":\"one\"}", "k-1");
        assertEquals("already_recorded", json(afterRestart).get("status").asString(), afterRestart.body());
        assertFalse(resumed.isDone(), "the retry did not feed the second wait after the restart either");

        assertEquals(
                200,
                post("two-steps", "{\"event_key\":\"step\",\"event_payload\":\"two\"}", "k-2")
                        .statusCode());
        assertEquals("one two", resumed.get(30, TimeUnit.SECONDS));
    }

    @Test
    void aResendWhileTheFirstIsStillBeingCheckpointedSharesItsOutcome() throws Exception {
        GateStore[] gate = new GateStore[1];
        hark = Hark.builder()
                .dataDir(dataDir)
                .http(HttpSettings.defaults().withPort(0))
                .store(dir -> gate[0] = new GateStore(SqliteWorkflowStore.open(dir)))
                .open();
        CompletableFuture<HttpEvent> out = hark.runAsync(Dag.waitForEvent(HttpListener.class, "k"), "racing-retry");
        awaitInboxWaits(1);

        String body = "{\"event_key\":\"k\",\"event_payload\":\"x\",\"event_id\":\"same\"}";
        CompletableFuture<HttpResponse<String>> first = postAsync("racing-retry", body, null);
        gate[0].awaitHeld(1);
        CompletableFuture<HttpResponse<String>> retry = postAsync("racing-retry", body, null);
        gate[0].open();

        assertEquals(
                "checkpointed",
                json(first.get(30, TimeUnit.SECONDS)).get("status").asString());
        HttpResponse<String> second = retry.get(30, TimeUnit.SECONDS);
        assertEquals(200, second.statusCode(), second.body());
        assertEquals("already_recorded", json(second).get("status").asString(), second.body());
        assertEquals("same", out.get(30, TimeUnit.SECONDS).id());
        assertEquals(1, hark.list().size());
    }

    @Test
    void theKeyComesFromTheHeaderOrTheBodyAndBadKeysAreRefusedWithTheField() throws Exception {
        open();
        hark.runAsync(Dag.waitForEvent(HttpListener.class, "k"), "keys");
        awaitInboxWaits(1);
        String payload = "{\"event_key\":\"k\",\"event_payload\":null";

        assertRefused(post("keys", payload + ",\"event_id\":\"a\"}", "b"), "conflicting_idempotency_keys", "event_id");
        assertRefused(post("keys", payload + ",\"event_id\":7}", null), "wrong_type", "event_id");
        assertRefused(post("keys", payload + ",\"event_id\":\"\"}", null), "invalid_idempotency_key", "event_id");
        assertRefused(post("keys", payload + "}", "x".repeat(256)), "invalid_idempotency_key", "Idempotency-Key");
        assertRefused(
                post("keys", payload + ",\"event_id\":\"tab\\there\"}", null), "invalid_idempotency_key", "event_id");
        assertEquals(1, hark.metrics().inboxWaits(), "nothing was consumed by the refused requests");

        HttpResponse<String> same = post("keys", payload + ",\"event_id\":\"a\"}", "a");
        assertEquals(200, same.statusCode(), same.body());
        assertEquals("a", json(same).get("event_id").asString());
    }

    private static void assertRefused(HttpResponse<String> response, String error, String field) {
        assertEquals(400, response.statusCode(), response.body());
        assertEquals(error, json(response).get("error").asString(), response.body());
        assertEquals(field, json(response).get("field").asString(), response.body());
    }

    private void awaitInboxWaits(int count) throws InterruptedException {
        Await.until(
                () -> hark.metrics().inboxWaits() >= count,
                () -> "expected " + count + " inbox waits, have "
                        + hark.metrics().inboxWaits());
    }

    private void awaitStatus(String id, WorkflowStatus status) throws InterruptedException {
        Await.until(() -> hark.status(id) == status, () -> id + " is " + hark.status(id) + ", not " + status);
    }

    private HttpResponse<String> post(String workflowId, String body, String idempotencyKey) throws Exception {
        return postAsync(workflowId, body, idempotencyKey).get(30, TimeUnit.SECONDS);
    }

    private CompletableFuture<HttpResponse<String>> postAsync(String workflowId, String body, String idempotencyKey) {
        int port = hark.httpAddress().orElseThrow().getPort();
        HttpRequest.Builder request = HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/event/send_event/" + workflowId))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (idempotencyKey != null) {
            request.header("Idempotency-Key", idempotencyKey);
        }
        return CLIENT.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) {
        assertTrue(response.body().startsWith("{"), response.body());
        return Json.MAPPER.readTree(response.body());
    }
}
