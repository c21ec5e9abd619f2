package dev.hark.runtime.http;

import static dev.hark.runtime.http.EarlyEventsTest.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hark.runtime.Hark;
import dev.hark.runtime.testing.Await;
import dev.hark.runtime.testing.GreetingDefinition;
import dev.hark.workflow.WorkflowStatus;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Start on event [R9.6, R9.7]: {@code POST /event/send_event/{id}?start=<definition>} creates the
 * workflow when no workflow has the id, with the event buffered for its first wait on the key, in
 * one transaction; otherwise it is a plain send. Only definitions the server names may be started.
 */
class StartOnEventTest {

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

    private Hark open(boolean startGreet) {
        Hark.Builder builder = Hark.builder()
                .dataDir(dataDir)
                .http(HttpSettings.defaults().withPort(0))
                .definitions(List.of(new GreetingDefinition()));
        if (startGreet) {
            builder.startOnEvent(List.of("greet"));
        }
        hark = builder.open();
        return hark;
    }

    @Test
    void aSendNamingADefinitionCreatesTheWorkflowAndItsFirstWaitGetsTheEvent() throws Exception {
        open(true);
        HttpResponse<String> sent =
                post("case-1?start=greet", "{\"event_key\":\"go\",\"event_payload\":\"Ada\"}", "hook-1");
        assertEquals(200, sent.statusCode(), sent.body());
        JsonNode reply = json(sent);
        assertEquals("started", reply.get("status").asString(), sent.body());
        assertEquals("greet", reply.get("definition").asString());
        assertEquals("hook-1", reply.get("event_id").asString());

        awaitStatus("case-1", WorkflowStatus.SUCCESSFUL);
        assertEquals("hello Ada", hark.output("case-1"));

        HttpResponse<String> resent =
                post("case-1?start=greet", "{\"event_key\":\"go\",\"event_payload\":\"Ada\"}", "hook-1");
        assertEquals(200, resent.statusCode(), resent.body());
        assertEquals("already_recorded", json(resent).get("status").asString(), resent.body());
        assertEquals(1, hark.list().size(), "no second workflow");
    }

    @Test
    void aCloudEventMayStartItsWorkflowToo() throws Exception {
        open(true);
        String cloudEvent =
                "{\"specversion\":\"1.0\",\"id\":\"ce-1\",\"source\":\"/crm\",\"type\":\"go\"," + "\"data\":\"Eve\"}";
        HttpResponse<String> sent = postCloudEvent("case-ce?start=greet", cloudEvent);
        assertEquals(200, sent.statusCode(), sent.body());
        assertEquals("started", json(sent).get("status").asString(), sent.body());
        awaitStatus("case-ce", WorkflowStatus.SUCCESSFUL);
        assertEquals("hello Eve", hark.output("case-ce"));

        HttpResponse<String> redelivered = postCloudEvent("case-ce?start=greet", cloudEvent);
        assertEquals("already_recorded", json(redelivered).get("status").asString(), redelivered.body());
        assertEquals(1, hark.list().size(), "no second workflow");
    }

    private HttpResponse<String> postCloudEvent(String target, String body) throws Exception {
        int port = hark.httpAddress().orElseThrow().getPort();
        return CLIENT.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/event/send_event/" + target))
                        .timeout(Duration.ofSeconds(30))
                        .header("Content-Type", "application/cloudevents+json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theDefinitionsInputComesFromStartInput() throws Exception {
        open(true);
        HttpResponse<String> sent = post(
                "case-in?start=greet",
                "{\"event_key\":\"open\",\"event_payload\":\"Bo\",\"start_input\":{\"key\":\"open\"}}",
                null);
        assertEquals("started", json(sent).get("status").asString(), sent.body());
        awaitStatus("case-in", WorkflowStatus.SUCCESSFUL);
        assertEquals("hello Bo", hark.output("case-in"));

        HttpResponse<String> refused = post(
                "case-bad?start=greet", "{\"event_key\":\"go\",\"event_payload\":1,\"start_input\":{\"key\":7}}", null);
        assertEquals(400, refused.statusCode(), refused.body());
        assertEquals("invalid_start_input", json(refused).get("error").asString(), refused.body());
        assertEquals(
                0, hark.list().stream().filter(w -> w.id().equals("case-bad")).count());
    }

    @Test
    void anExistingWorkflowGetsAPlainSend() throws Exception {
        open(true);
        CompletableFuture<String> out = hark.startDefinition("greet", "case-2", Map.of())
                .thenCompose(id -> CompletableFuture.completedFuture(id));
        assertEquals("case-2", out.get(30, TimeUnit.SECONDS));
        Await.until(
                () -> hark.metrics().inboxWaits() == 1,
                () -> "waits " + hark.metrics().inboxWaits());

        HttpResponse<String> sent = post("case-2?start=greet", "{\"event_key\":\"go\",\"event_payload\":\"Cy\"}", null);
        assertEquals("checkpointed", json(sent).get("status").asString(), sent.body());
        awaitStatus("case-2", WorkflowStatus.SUCCESSFUL);
        assertEquals("hello Cy", hark.output("case-2"));

        HttpResponse<String> late = post("case-2?start=greet", "{\"event_key\":\"go\",\"event_payload\":\"Di\"}", null);
        assertEquals(404, late.statusCode(), late.body());
        assertEquals("workflow_finished", json(late).get("error").asString(), late.body());
    }

    @Test
    void onlyDefinitionsTheServerNamesCanBeStarted() throws Exception {
        open(false);
        HttpResponse<String> refused = post("case-3?start=greet", "{\"event_key\":\"go\",\"event_payload\":1}", null);
        assertEquals(403, refused.statusCode(), refused.body());
        assertEquals("start_not_allowed", json(refused).get("error").asString());
        assertTrue(hark.list().isEmpty(), "nothing was created");
        hark.close();

        open(true);
        HttpResponse<String> other = post("case-3?start=other", "{\"event_key\":\"go\",\"event_payload\":1}", null);
        assertEquals(403, other.statusCode(), other.body());
        HttpResponse<String> stray =
                post("case-3", "{\"event_key\":\"go\",\"event_payload\":1,\"start_input\":{}}", null);
        assertEquals(400, stray.statusCode(), stray.body());
        assertTrue(hark.list().isEmpty(), "nothing was created");
    }

    @Test
    void concurrentStartsOfOneIdCreateOneWorkflowThatTakesOneEvent() throws Exception {
        open(true);
        int senders = 8;
        List<CompletableFuture<HttpResponse<String>>> sends = new ArrayList<>();
        for (int i = 0; i < senders; i++) {
            sends.add(postAsync(
                    "case-race?start=greet", "{\"event_key\":\"go\",\"event_payload\":\"p" + i + "\"}", "race-" + i));
        }
        List<String> started = new ArrayList<>();
        List<String> statuses = new ArrayList<>();
        for (CompletableFuture<HttpResponse<String>> send : sends) {
            HttpResponse<String> response = send.get(30, TimeUnit.SECONDS);
            JsonNode body = json(response);
            String status = body.has("status")
                    ? body.get("status").asString()
                    : body.get("error").asString();
            statuses.add(response.statusCode() + " " + status);
            if ("started".equals(status)) {
                started.add(body.get("event_id").asString());
            }
        }
        assertEquals(1, started.size(), "one creation: " + statuses);
        awaitStatus("case-race", WorkflowStatus.SUCCESSFUL);
        String winner = started.get(0).replace("race-", "p");
        assertEquals("hello " + winner, hark.output("case-race"), "the creating send's event reached the first wait");
        assertEquals(1, hark.list().size());
        // the others were buffered behind it (then dropped when the workflow ended) or refused: none recorded
        for (int i = 0; i < senders; i++) {
            HttpResponse<String> again =
                    post("case-race", "{\"event_key\":\"go\",\"event_payload\":\"p" + i + "\"}", "race-" + i);
            String expected = ("race-" + i).equals(started.get(0)) ? "already_recorded" : "workflow_finished";
            JsonNode body = json(again);
            assertEquals(
                    expected,
                    body.has("error")
                            ? body.get("error").asString()
                            : body.get("status").asString(),
                    again.body() + " " + statuses);
        }
    }

    @Test
    void aStartNeedsAnEventsCredentialThatCoversTheId() throws Exception {
        String token = "cases-token-0123456789";
        hark = Hark.builder()
                .dataDir(dataDir)
                .http(HttpSettings.defaults()
                        .withPort(0)
                        .withCredentials(Credentials.parse("events:case- " + token, "test")))
                .definitions(List.of(new GreetingDefinition()))
                .startOnEvent(List.of("greet"))
                .open();
        String body = "{\"event_key\":\"go\",\"event_payload\":\"Eve\"}";
        HttpResponse<String> anonymous = post("case-9?start=greet", body, null);
        assertEquals(401, anonymous.statusCode(), anonymous.body());
        HttpResponse<String> elsewhere = CLIENT.send(
                request("other-9?start=greet", body, null)
                        .header("Authorization", "Bearer " + token)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(403, elsewhere.statusCode(), elsewhere.body());
        assertEquals("insufficient_scope", json(elsewhere).get("error").asString());
        assertTrue(hark.list().isEmpty(), "nothing was created");

        HttpResponse<String> covered = CLIENT.send(
                request("case-9?start=greet", body, null)
                        .header("Authorization", "Bearer " + token)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals("started", json(covered).get("status").asString(), covered.body());
        awaitStatus("case-9", WorkflowStatus.SUCCESSFUL);
        assertEquals("hello Eve", hark.output("case-9"));
    }

    private void awaitStatus(String id, WorkflowStatus status) throws InterruptedException {
        Await.until(() -> hark.status(id) == status, () -> id + " is " + hark.status(id) + ", not " + status);
    }

    private HttpResponse<String> post(String target, String body, String idempotencyKey) throws Exception {
        return postAsync(target, body, idempotencyKey).get(30, TimeUnit.SECONDS);
    }

    private CompletableFuture<HttpResponse<String>> postAsync(String target, String body, String idempotencyKey) {
        return CLIENT.sendAsync(request(target, body, idempotencyKey).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest.Builder request(String target, String body, String idempotencyKey) {
        int port = hark.httpAddress().orElseThrow().getPort();
        HttpRequest.Builder request = HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/event/send_event/" + target))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (idempotencyKey != null) {
            request.header("Idempotency-Key", idempotencyKey);
        }
        return request;
    }
}
