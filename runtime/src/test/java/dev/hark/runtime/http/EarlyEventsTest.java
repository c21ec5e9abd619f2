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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Early events [R9.1–R9.5]: an event for a running workflow whose wait on the key is not
 * registered yet is buffered durably (200 {@code buffered}) when the server opts in, delivered once
 * to the first wait that registers for the key, oldest first, and dropped (and counted) after its
 * TTL; by default it is answered 404 as before.
 */
class EarlyEventsTest {

    private static final HttpClient CLIENT =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    Path dataDir;

    private Hark hark;

    @BeforeEach
    void closeTheGate() {
        Tasks.gate = new CountDownLatch(1);
        Tasks.GATED_STARTED.drainPermits();
    }

    @AfterEach
    void close() {
        Tasks.gate.countDown();
        if (hark != null) {
            hark.close();
        }
    }

    private Hark open(Duration ttl) {
        hark = Hark.builder()
                .dataDir(dataDir)
                .http(HttpSettings.defaults().withPort(0))
                .adminApi(true)
                .bufferEarlyEvents(ttl)
                .open();
        return hark;
    }

    /** A task held by {@link Tasks#gate} runs first; only then does the wait on "k" register. */
    private static Node<String> greetingAfterTheGate() {
        return Dag.task(Tasks::greet)
                .bind(Dag.waitForEvent(
                        HttpListener.class, Dag.task(Tasks::gated).bind(Dag.value("k"))));
    }

    /** Two waits on "k", one after the other, after the gate: "first second". */
    private static Node<String> twoWaitsAfterTheGate() {
        Node<HttpEvent> first =
                Dag.waitForEvent(HttpListener.class, Dag.task(Tasks::gated).bind(Dag.value("k")));
        Node<HttpEvent> second =
                Dag.waitForEvent(HttpListener.class, Dag.task(Tasks::keyOf).bind(first));
        return Dag.task(Tasks::joinPayloads).bind(first, second);
    }

    @Test
    void anEventSentBeforeTheWaitParksIsBufferedAndTheWaitGetsItWhenItParks() throws Exception {
        open(Duration.ofHours(1));
        CompletableFuture<String> out = hark.runAsync(greetingAfterTheGate(), "early-1");
        assertTrue(Tasks.GATED_STARTED.tryAcquire(30, TimeUnit.SECONDS));

        HttpResponse<String> sent = post("early-1", "{\"event_key\":\"k\",\"event_payload\":\"Ada\"}", null);
        assertEquals(200, sent.statusCode(), sent.body());
        JsonNode reply = json(sent);
        assertEquals("buffered", reply.get("status").asString(), sent.body());
        assertEquals("k", reply.get("event_key").asString());
        String eventId = reply.get("event_id").asString();
        assertTrue(reply.has("expires_at"), sent.body());

        JsonNode shown = json(get("/workflows/early-1"));
        assertEquals(1, shown.get("buffered_events").size(), shown.toString());
        assertEquals(
                eventId, shown.get("buffered_events").get(0).get("event_id").asString());
        assertFalse(out.isDone());

        Tasks.gate.countDown();
        assertEquals("hello Ada", out.get(30, TimeUnit.SECONDS));
        assertTrue(hark.bufferedEvents("early-1").isEmpty(), "delivered, so no longer buffered");
        JsonNode health = json(get("/health"));
        assertEquals(1, health.get("early_events_delivered").asInt(), health.toString());
        assertEquals(0, health.get("early_events_buffered").asInt(), health.toString());
        assertEquals(0, health.get("early_events_dropped").asInt(), health.toString());
    }

    @Test
    void byDefaultAnEarlyEventIsAnswered404AndNothingIsKept() throws Exception {
        open(null);
        CompletableFuture<String> out = hark.runAsync(greetingAfterTheGate(), "early-off");
        assertTrue(Tasks.GATED_STARTED.tryAcquire(30, TimeUnit.SECONDS));

        HttpResponse<String> sent = post("early-off", "{\"event_key\":\"k\",\"event_payload\":\"lost\"}", null);
        assertEquals(404, sent.statusCode(), sent.body());
        assertEquals("no_wait_for_key", json(sent).get("error").asString(), sent.body());

        Tasks.gate.countDown();
        awaitInboxWaits(1);
        assertFalse(out.isDone(), "the refused event reached no wait");
        HttpResponse<String> onTime = post("early-off", "{\"event_key\":\"k\",\"event_payload\":\"Bo\"}", null);
        assertEquals("checkpointed", json(onTime).get("status").asString(), onTime.body());
        assertEquals("hello Bo", out.get(30, TimeUnit.SECONDS));
    }

    @Test
    void anExpiredEventIsDroppedCountedAndNeverDelivered() throws Exception {
        open(Duration.ofMillis(200));
        CompletableFuture<String> out = hark.runAsync(greetingAfterTheGate(), "early-ttl");
        assertTrue(Tasks.GATED_STARTED.tryAcquire(30, TimeUnit.SECONDS));

        HttpResponse<String> sent = post("early-ttl", "{\"event_key\":\"k\",\"event_payload\":\"stale\"}", "old");
        assertEquals("buffered", json(sent).get("status").asString(), sent.body());
        Await.until(() -> hark.droppedEarlyEvents() == 1, () -> "dropped " + hark.droppedEarlyEvents());
        assertEquals(1, json(get("/health")).get("early_events_dropped").asInt());
        assertFalse(json(get("/workflows/early-ttl")).has("buffered_events"));

        Tasks.gate.countDown();
        awaitInboxWaits(1);
        assertFalse(out.isDone(), "the expired event reached no wait");
        HttpResponse<String> fresh = post("early-ttl", "{\"event_key\":\"k\",\"event_payload\":\"new\"}", null);
        assertEquals("checkpointed", json(fresh).get("status").asString(), fresh.body());
        assertEquals("hello new", out.get(30, TimeUnit.SECONDS));
    }

    @Test
    void aResendOfABufferedEventIsNotBufferedTwiceAndEachEventReachesOneWaitOldestFirst() throws Exception {
        open(Duration.ofHours(1));
        CompletableFuture<String> out = hark.runAsync(twoWaitsAfterTheGate(), "early-twice");
        assertTrue(Tasks.GATED_STARTED.tryAcquire(30, TimeUnit.SECONDS));

        String one = "{\"event_key\":\"k\",\"event_payload\":\"one\"}";
        HttpResponse<String> first = post("early-twice", one, "key-1");
        assertEquals("buffered", json(first).get("status").asString(), first.body());
        HttpResponse<String> resend = post("early-twice", one, "key-1");
        assertEquals(200, resend.statusCode(), resend.body());
        assertEquals("buffered", json(resend).get("status").asString(), resend.body());
        assertTrue(json(resend).get("already_buffered").asBoolean(), resend.body());
        assertEquals("key-1", json(resend).get("event_id").asString());
        HttpResponse<String> second = post("early-twice", "{\"event_key\":\"k\",\"event_payload\":\"two\"}", "key-2");
        assertEquals("buffered", json(second).get("status").asString(), second.body());
        assertEquals(2, hark.bufferedEvents("early-twice").size(), "the resend added nothing");

        Tasks.gate.countDown();
        assertEquals("one two", out.get(30, TimeUnit.SECONDS), "each event once, oldest first");

        HttpResponse<String> late = post("early-twice", one, "key-1");
        assertEquals("already_recorded", json(late).get("status").asString(), late.body());
        assertEquals(WorkflowStatus.SUCCESSFUL, hark.status("early-twice"));
    }

    @Test
    void bufferedEventsSurviveARestartAndAreDeliveredOnceToTheResumedWait() throws Exception {
        open(Duration.ofHours(1));
        hark.runAsync(twoWaitsAfterTheGate(), "early-restart");
        assertTrue(Tasks.GATED_STARTED.tryAcquire(30, TimeUnit.SECONDS));
        HttpResponse<String> sent = post("early-restart", "{\"event_key\":\"k\",\"event_payload\":\"kept\"}", "kept-1");
        assertEquals("buffered", json(sent).get("status").asString(), sent.body());
        Tasks.gate.countDown();
        // The first wait takes it; the second then waits, and nothing is left in the buffer.
        awaitInboxWaits(1);
        Await.until(
                () -> hark.bufferedEvents("early-restart").isEmpty(),
                () -> "still buffered: " + hark.bufferedEvents("early-restart"));
        hark.close();

        open(Duration.ofHours(1));
        CompletableFuture<Object> resumed = hark.resumeAll().get("early-restart");
        awaitInboxWaits(1);
        assertTrue(hark.bufferedEvents("early-restart").isEmpty(), "the delivered event is not buffered again");
        assertFalse(resumed.isDone(), "the second wait did not get the first event again");
        HttpResponse<String> next = post("early-restart", "{\"event_key\":\"k\",\"event_payload\":\"next\"}", null);
        assertEquals("checkpointed", json(next).get("status").asString(), next.body());
        assertEquals("kept next", resumed.get(30, TimeUnit.SECONDS));
    }

    @Test
    void anEventBufferedBeforeARestartIsDeliveredAfterIt() throws Exception {
        open(Duration.ofHours(1));
        hark.runAsync(greetingAfterTheGate(), "early-across");
        assertTrue(Tasks.GATED_STARTED.tryAcquire(30, TimeUnit.SECONDS));
        HttpResponse<String> sent = post("early-across", "{\"event_key\":\"k\",\"event_payload\":\"Cy\"}", null);
        assertEquals("buffered", json(sent).get("status").asString(), sent.body());
        hark.close(); // the gated task never finished: it runs again after the restart
        Tasks.gate.countDown();

        open(Duration.ofHours(1));
        assertEquals(1, hark.bufferedEvents("early-across").size(), "read back from the store");
        assertEquals("hello Cy", hark.resumeAll().get("early-across").get(30, TimeUnit.SECONDS));
        assertTrue(hark.bufferedEvents("early-across").isEmpty());
    }

    @Test
    void eventsOfAWorkflowThatEndsAreDroppedAndCounted() throws Exception {
        open(Duration.ofHours(1));
        hark.runAsync(greetingAfterTheGate(), "early-cancel");
        assertTrue(Tasks.GATED_STARTED.tryAcquire(30, TimeUnit.SECONDS));
        HttpResponse<String> sent = post("early-cancel", "{\"event_key\":\"k\",\"event_payload\":\"x\"}", null);
        assertEquals("buffered", json(sent).get("status").asString(), sent.body());
        hark.cancel("early-cancel");
        Await.until(() -> hark.droppedEarlyEvents() == 1, () -> "dropped " + hark.droppedEarlyEvents());
        assertTrue(hark.bufferedEvents("early-cancel").isEmpty());
    }

    @Test
    void anEventForAWorkflowThatIsNotRunningIsStill404Or409() throws Exception {
        open(Duration.ofHours(1));
        HttpResponse<String> unknown = post("nobody", "{\"event_key\":\"k\",\"event_payload\":1}", null);
        assertEquals(404, unknown.statusCode(), unknown.body());
        assertEquals("unknown_workflow", json(unknown).get("error").asString());

        CompletableFuture<HttpEvent> out = hark.runAsync(Dag.waitForEvent(HttpListener.class, "k"), "done-wf");
        awaitInboxWaits(1);
        assertEquals(
                "checkpointed",
                json(post("done-wf", "{\"event_key\":\"k\",\"event_payload\":1}", null))
                        .get("status")
                        .asString());
        out.get(30, TimeUnit.SECONDS);
        Await.until(() -> hark.status("done-wf") == WorkflowStatus.SUCCESSFUL, () -> "not finished");
        HttpResponse<String> finished = post("done-wf", "{\"event_key\":\"k\",\"event_payload\":2}", null);
        assertEquals(404, finished.statusCode(), finished.body());
        assertEquals("workflow_finished", json(finished).get("error").asString());
        assertTrue(hark.bufferedEvents("done-wf").isEmpty());
    }

    @Test
    void anEventSentWhileAnOlderOneIsBeingCheckpointedIsBufferedBehindItNotRefused() throws Exception {
        GateStore[] gate = new GateStore[1];
        hark = Hark.builder()
                .dataDir(dataDir)
                .http(HttpSettings.defaults().withPort(0))
                .bufferEarlyEvents(Duration.ofHours(1))
                .store(dir -> gate[0] = new GateStore(SqliteWorkflowStore.open(dir)))
                .open();
        CompletableFuture<String> out = hark.runAsync(twoWaitsAfterTheGate(), "early-behind");
        assertTrue(Tasks.GATED_STARTED.tryAcquire(30, TimeUnit.SECONDS));
        HttpResponse<String> first = post("early-behind", "{\"event_key\":\"k\",\"event_payload\":\"one\"}", null);
        assertEquals("buffered", json(first).get("status").asString(), first.body());
        Tasks.gate.countDown();
        gate[0].awaitHeld(1); // the first wait took "one"; its checkpoint is held

        HttpResponse<String> second = post("early-behind", "{\"event_key\":\"k\",\"event_payload\":\"two\"}", null);
        assertEquals(200, second.statusCode(), "queued behind the event in flight, not 409: " + second.body());
        assertEquals("buffered", json(second).get("status").asString(), second.body());
        gate[0].open();
        assertEquals("one two", out.get(30, TimeUnit.SECONDS));
    }

    private void awaitInboxWaits(int count) throws InterruptedException {
        Await.until(
                () -> hark.metrics().inboxWaits() >= count,
                () -> "expected " + count + " inbox waits, have "
                        + hark.metrics().inboxWaits());
    }

    private HttpResponse<String> post(String workflowId, String body, String idempotencyKey) throws Exception {
        int port = hark.httpAddress().orElseThrow().getPort();
        HttpRequest.Builder request = HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/event/send_event/" + workflowId))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (idempotencyKey != null) {
            request.header("Idempotency-Key", idempotencyKey);
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path) throws Exception {
        int port = hark.httpAddress().orElseThrow().getPort();
        return CLIENT.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .timeout(Duration.ofSeconds(30))
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode json(HttpResponse<String> response) {
        assertTrue(response.body().startsWith("{"), response.body());
        return Json.MAPPER.readTree(response.body());
    }
}
