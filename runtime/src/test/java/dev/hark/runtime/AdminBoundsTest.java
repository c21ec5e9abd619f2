package dev.hark.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hark.listeners.http.HttpEvent;
import dev.hark.listeners.http.HttpListener;
import dev.hark.runtime.http.HttpSettings;
import dev.hark.runtime.storage.ForwardingWorkflowStore;
import dev.hark.runtime.storage.StoreBusyException;
import dev.hark.runtime.storage.StoreHealth;
import dev.hark.runtime.storage.StoreWrite;
import dev.hark.runtime.storage.TaskState;
import dev.hark.runtime.storage.WorkflowStore;
import dev.hark.runtime.storage.sqlite.SqliteWorkflowStore;
import dev.hark.runtime.testing.Await;
import dev.hark.runtime.testing.GreetingDefinition;
import dev.hark.runtime.testing.Tasks;
import dev.hark.workflow.Dag;
import dev.hark.workflow.Node;
import dev.hark.workflow.WorkflowDefinition;
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
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** Issue 12's bounds on the HTTP side: nesting, error bodies, readiness, back-pressure, paging. */
class AdminBoundsTest {

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

    /** A definition whose build fails with a bug, not a refusal of its input. */
    static final class BrokenDefinition implements WorkflowDefinition {
        @Override
        public String name() {
            return "broken";
        }

        @Override
        public Node<?> build(Map<String, Object> input) {
            throw new IllegalStateException("definition bug\n\tat some.Frame(Frame.java:1)");
        }
    }

    /** A store whose writability the test switches, and whose checkpoints can be refused as busy. */
    static final class SwitchableStore extends ForwardingWorkflowStore {
        final AtomicBoolean failing = new AtomicBoolean();
        final AtomicBoolean busy = new AtomicBoolean();

        SwitchableStore(WorkflowStore real) {
            super(real);
        }

        @Override
        public StoreHealth health() {
            return failing.get() ? StoreHealth.failing("disk is full (simulated)") : super.health();
        }

        @Override
        public CompletableFuture<Void> write(StoreWrite write) {
            if (busy.get() && write instanceof StoreWrite.PutTask put && put.state() == TaskState.CHECKPOINTED) {
                return CompletableFuture.failedFuture(new StoreBusyException("the write queue is full (simulated)"));
            }
            return super.write(write);
        }
    }

    private SwitchableStore store;

    private void open() {
        open(SqliteWorkflowStore::open);
    }

    private void open(Function<Path, WorkflowStore> real) {
        hark = Hark.builder()
                .dataDir(dataDir)
                .http(HttpSettings.defaults().withPort(0))
                .adminApi(true)
                .definitions(List.of(new GreetingDefinition(), new BrokenDefinition()))
                .store(dir -> store = new SwitchableStore(real.apply(dir)))
                .open();
    }

    private static String nestedArrays(int depth, String inner) {
        return "[".repeat(depth) + inner + "]".repeat(depth);
    }

    @Test
    void aPayloadAtTheNestingLimitRoundTripsThroughTheStoreAndOneLevelMoreIs400NamingTheLimit() throws Exception {
        open();
        // The body object is one level: the payload may nest MAX_INTAKE_DEPTH - 1 more.
        String atLimit = nestedArrays(Json.MAX_INTAKE_DEPTH - 1, "7");
        CompletableFuture<HttpEvent> out = hark.runAsync(Dag.waitForEvent(HttpListener.class, "deep"), "deep-wf");
        awaitInboxWaits(1);

        HttpResponse<String> tooDeep = call(
                "POST",
                "/event/send_event/deep-wf",
                "{\"event_key\": \"deep\", \"event_payload\": " + nestedArrays(Json.MAX_INTAKE_DEPTH, "7") + "}");
        assertEquals(400, tooDeep.statusCode(), tooDeep.body());
        assertTrue(tooDeep.body().contains(String.valueOf(Json.MAX_INTAKE_DEPTH)), tooDeep.body());

        HttpResponse<String> accepted = call(
                "POST", "/event/send_event/deep-wf", "{\"event_key\": \"deep\", \"event_payload\": " + atLimit + "}");
        assertEquals(200, accepted.statusCode(), accepted.body());
        out.get(30, TimeUnit.SECONDS);
        hark.close();

        // Read back from the store by a new runtime: the stored form (payload + envelopes) is readable.
        open();
        assertEquals(WorkflowStatus.SUCCESSFUL, hark.status("deep-wf"));
        HttpEvent stored = (HttpEvent) Json.MAPPER.convertValue(hark.output("deep-wf"), HttpEvent.class);
        assertEquals(Json.MAPPER.readTree(atLimit), Json.MAPPER.valueToTree(stored.eventPayload()));
    }

    @Test
    void anAdminInputNestedTooDeepIs400NamingTheLimit() throws Exception {
        open();
        HttpResponse<String> response = call(
                "POST",
                "/workflows",
                "{\"definition\": \"greet\", \"input\": {\"x\": " + nestedArrays(Json.MAX_INTAKE_DEPTH, "1") + "}}");
        assertEquals(400, response.statusCode(), response.body());
        assertEquals("too_deep", json(response).get("error").asString(), response.body());
        assertTrue(
                json(response).get("message").asString().contains(String.valueOf(Json.MAX_INTAKE_DEPTH)),
                response.body());
    }

    @Test
    void anUnknownDefinitionIs404NamingItNotListingEveryDefinition() throws Exception {
        open();
        HttpResponse<String> response = call("POST", "/workflows", "{\"definition\": \"nope\"}");
        assertEquals(404, response.statusCode(), response.body());
        String message = json(response).get("message").asString();
        assertTrue(message.contains("'nope'"), message);
        assertFalse(message.contains("greet") || message.contains("broken"), message);
    }

    @Test
    void anInternalErrorCarriesAnErrorIdAndNoStackTrace() throws Exception {
        open();
        HttpResponse<String> response = call("POST", "/workflows", "{\"definition\": \"broken\"}");
        assertEquals(500, response.statusCode(), response.body());
        JsonNode body = json(response);
        assertEquals("internal_error", body.get("error").asString());
        String id = body.get("error_id").asString();
        assertTrue(id.matches("[0-9a-f]{12}"), id);
        assertTrue(body.get("message").asString().contains(id), response.body());
        assertFalse(response.body().contains("\\tat ") || response.body().contains("\\n"), response.body());
    }

    @Test
    void aFailedWorkflowsStatusShowsTheFirstLineOfItsErrorNotTheStackTrace() throws Exception {
        open();
        CompletableFuture<String> run =
                hark.runAsync(Dag.task(Tasks::alwaysFail).bind(Dag.value("x")), "fails");
        try {
            run.get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException expected) {
            // failed, as meant
        }
        HttpResponse<String> response = call("GET", "/workflows/fails", null);
        assertEquals(200, response.statusCode(), response.body());
        String error = json(response).get("error").asString();
        assertTrue(error.contains("boom: x"), error);
        assertFalse(error.contains("\n") || error.contains("\tat "), error);
        assertTrue(hark.list(WorkflowStatus.FAILED).size() == 1);
    }

    @Test
    void liveAndReadyAndHealthFollowTheStoresWritability() throws Exception {
        open();
        assertEquals(200, call("GET", "/health/live", null).statusCode());
        HttpResponse<String> ready = call("GET", "/health/ready", null);
        assertEquals(200, ready.statusCode(), ready.body());
        assertEquals("ok", json(ready).get("status").asString());

        store.failing.set(true);
        HttpResponse<String> notReady = call("GET", "/health/ready", null);
        assertEquals(503, notReady.statusCode(), notReady.body());
        assertEquals("store_failing", json(notReady).get("status").asString());
        assertTrue(json(notReady).get("reason").asString().contains("disk is full"), notReady.body());
        assertEquals("1", notReady.headers().firstValue("Retry-After").orElse(""));
        HttpResponse<String> health = call("GET", "/health", null);
        assertEquals(503, health.statusCode(), health.body());
        assertFalse(json(health).get("ready").asBoolean(), health.body());
        assertEquals(200, call("GET", "/health/live", null).statusCode());

        store.failing.set(false);
        assertEquals(200, call("GET", "/health/ready", null).statusCode());
        assertEquals(200, call("GET", "/health", null).statusCode());
    }

    @Test
    void aCheckpointRefusedBecauseTheStoreQueueIsFullIs503WithRetryAfter() throws Exception {
        open();
        CompletableFuture<HttpEvent> out = hark.runAsync(Dag.waitForEvent(HttpListener.class, "k"), "busy-wf");
        awaitInboxWaits(1);
        store.busy.set(true);
        HttpResponse<String> refused =
                call("POST", "/event/send_event/busy-wf", "{\"event_key\": \"k\", \"event_payload\": 1}");
        assertEquals(503, refused.statusCode(), refused.body());
        assertEquals("store_busy", json(refused).get("error").asString(), refused.body());
        assertEquals("1", refused.headers().firstValue("Retry-After").orElse(""));

        store.busy.set(false);
        HttpResponse<String> accepted =
                awaitStatus(200, "/event/send_event/busy-wf", "{\"event_key\": \"k\", \"event_payload\": 1}");
        assertEquals(200, accepted.statusCode(), accepted.body());
        assertEquals(1, out.get(30, TimeUnit.SECONDS).eventPayload());
    }

    @Test
    void workflowsArePagedWithLimitAndAfter() throws Exception {
        open();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String id = "page-" + i;
            hark.start(Dag.waitForEvent(HttpListener.class, "k"), id).started().get(30, TimeUnit.SECONDS);
            ids.add(id);
        }
        List<String> seen = new ArrayList<>();
        String after = null;
        int pages = 0;
        do {
            HttpResponse<String> page =
                    call("GET", "/workflows?limit=2" + (after == null ? "" : "&after=" + after), null);
            assertEquals(200, page.statusCode(), page.body());
            JsonNode body = json(page);
            body.get("workflows").forEach(w -> seen.add(w.get("workflow_id").asString()));
            assertTrue(body.get("workflows").size() <= 2, page.body());
            after = body.get("next").isNull() ? null : body.get("next").asString();
            pages++;
        } while (after != null);
        assertEquals(ids, seen);
        assertEquals(3, pages);

        JsonNode running = json(call("GET", "/workflows?status=running&limit=10", null));
        assertEquals(5, running.get("workflows").size());
        assertTrue(running.get("next").isNull());
        assertEquals(400, call("GET", "/workflows?limit=0", null).statusCode());
        assertEquals(400, call("GET", "/workflows?limit=10001", null).statusCode());
        assertEquals(400, call("GET", "/workflows?bogus=1", null).statusCode());
    }

    private HttpResponse<String> awaitStatus(int status, String path, String body) throws Exception {
        return Await.value(
                () -> call("POST", path, body),
                response -> response.statusCode() == status,
                response -> "POST " + path + " never answered " + status + ", last " + response.statusCode() + ": "
                        + response.body());
    }

    private void awaitInboxWaits(int n) throws InterruptedException {
        Await.until(
                () -> hark.metrics().inboxWaits() >= n,
                () -> "waits did not register: " + hark.metrics().inboxWaits() + " of " + n);
    }

    private HttpResponse<String> call(String method, String path, String body) throws Exception {
        URI uri = URI.create(
                "http://127.0.0.1:" + hark.httpAddress().orElseThrow().getPort() + path);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30));
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(body));
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) {
        return Json.MAPPER.readTree(response.body());
    }
}
