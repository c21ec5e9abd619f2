package dev.hark.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hark.listeners.http.HttpEvent;
import dev.hark.listeners.http.HttpListener;
import dev.hark.runtime.event.Delivery;
import dev.hark.runtime.http.HttpSettings;
import dev.hark.runtime.storage.sqlite.SqliteWorkflowStore;
import dev.hark.runtime.testing.Await;
import dev.hark.runtime.testing.PausingStore;
import dev.hark.workflow.Dag;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The restart window: after a restart the runtime answers before every parked wait is back. A
 * workflow not re-parked yet must be answered "retry" (503 with Retry-After), never 404, which
 * Ray's client takes as final and so drops the event. The window is held open by a store whose
 * bulk read pauses ({@link PausingStore}), never by timing.
 */
class RestartWindowTest {

    private static final HttpClient CLIENT =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final int PARKED = 40;
    private static final int RESUMED_FIRST = 10;

    @TempDir
    Path dataDir;

    private Hark hark;
    private PausingStore pausing;
    private final ExecutorService helper = Executors.newSingleThreadExecutor();

    @AfterEach
    void close() {
        if (pausing != null) {
            pausing.release();
        }
        if (hark != null) {
            hark.close();
        }
        helper.shutdownNow();
    }

    /** Parks {@link #PARKED} workflows {@code w-00..} on an HTTP wait for "k", then stops that runtime. */
    private void parkWorkflowsAndStop() {
        try (Hark first = Hark.open(dataDir)) {
            List<CompletableFuture<Void>> started = new ArrayList<>();
            for (int i = 0; i < PARKED; i++) {
                started.add(first.start(Dag.waitForEvent(HttpListener.class, "k"), id(i))
                        .started());
            }
            started.forEach(CompletableFuture::join);
        }
    }

    private static String id(int i) {
        return String.format("w-%02d", i);
    }

    private Hark openPaused(int handOutFirst, boolean resumeAllOnOpen) {
        hark = Hark.builder()
                .dataDir(dataDir)
                .http(HttpSettings.defaults().withPort(0))
                .adminApi(true)
                .resumeAllOnOpen(resumeAllOnOpen)
                .store(dir -> pausing = new PausingStore(SqliteWorkflowStore.open(dir), handOutFirst))
                .open();
        return hark;
    }

    @Test
    void aSendDuringResumeAllToAWorkflowNotYetResumedGets503WithRetryAfterNever404AndTheRetryGets200()
            throws Exception {
        parkWorkflowsAndStop();
        openPaused(RESUMED_FIRST, false);
        CompletableFuture<Map<String, CompletableFuture<Object>>> resumeAll =
                CompletableFuture.supplyAsync(hark::resumeAll, helper);
        pausing.awaitPaused();
        Await.until(
                () -> hark.resumeProgress().resumed() == RESUMED_FIRST,
                () -> "the first workflows were not re-parked: " + hark.resumeProgress());
        assertEquals(new ResumeProgress(true, RESUMED_FIRST, PARKED), hark.resumeProgress());

        // resumed early in the window: its events are delivered normally
        HttpResponse<String> early = postEvent(id(0), "\"early\"");
        assertEquals(200, early.statusCode(), early.body());

        // not resumed yet: "retry", with the progress, for every one of them
        for (int i = RESUMED_FIRST; i < PARKED; i++) {
            HttpResponse<String> notYet = postEvent(id(i), "\"during\"");
            assertEquals(503, notYet.statusCode(), id(i) + ": " + notYet.body());
            assertEquals("1", notYet.headers().firstValue("Retry-After").orElse(null), notYet.body());
            JsonNode body = json(notYet);
            assertEquals("not_yet_resumed", body.get("error").asString(), notYet.body());
            assertEquals("starting", body.get("status").asString(), notYet.body());
            assertEquals(RESUMED_FIRST, body.get("resumed").asInt(), notYet.body());
            assertEquals(PARKED, body.get("total").asInt(), notYet.body());
            assertEquals(id(i), body.get("workflow_id").asString(), notYet.body());
        }
        // and from Java, the same answer
        Delivery fromJava = hark.sendEvent(id(PARKED - 1), "k", "during").get(30, TimeUnit.SECONDS);
        Delivery.NotYetResumed notYet = assertInstanceOf(Delivery.NotYetResumed.class, fromJava);
        assertEquals(RESUMED_FIRST, notYet.resumed());
        assertEquals(PARKED, notYet.total());

        pausing.release();
        Map<String, CompletableFuture<Object>> outputs = resumeAll.get(30, TimeUnit.SECONDS);
        assertEquals(PARKED, outputs.size());
        Await.until(
                () -> !hark.resumeProgress().resuming(), () -> "the window did not close: " + hark.resumeProgress());
        assertEquals(new ResumeProgress(false, PARKED, PARKED), hark.resumeProgress());

        for (int i = RESUMED_FIRST; i < PARKED; i++) {
            HttpResponse<String> retried = postEvent(id(i), "\"retried\"");
            assertEquals(200, retried.statusCode(), id(i) + ": " + retried.body());
            assertEquals("retried", ((HttpEvent) outputs.get(id(i)).get(30, TimeUnit.SECONDS)).eventPayload());
        }
        assertEquals("early", ((HttpEvent) outputs.get(id(0)).get(30, TimeUnit.SECONDS)).eventPayload());
    }

    @Test
    void withResumeAllOnOpenEveryEventFromTheFirstRequestOnIs503UntilReparkedAndHealthSaysStartingThenOk()
            throws Exception {
        parkWorkflowsAndStop();
        openPaused(0, true); // the resumption stops before its first workflow

        pausing.awaitPaused();
        HttpResponse<String> starting = get("/health");
        assertEquals(503, starting.statusCode(), starting.body());
        assertEquals("1", starting.headers().firstValue("Retry-After").orElse(null));
        assertEquals("starting", json(starting).get("status").asString(), starting.body());
        assertEquals(0, json(starting).get("resumed").asInt(), starting.body());
        assertEquals(PARKED, json(starting).get("total").asInt(), starting.body());
        for (int i = 0; i < PARKED; i++) {
            HttpResponse<String> notYet = postEvent(id(i), "\"during\"");
            assertEquals(503, notYet.statusCode(), id(i) + ": " + notYet.body());
            assertEquals("not_yet_resumed", json(notYet).get("error").asString(), notYet.body());
        }
        // a workflow that does not exist is still answered at once, and finally
        HttpResponse<String> unknown = postEvent("nobody", "1");
        assertEquals(404, unknown.statusCode(), unknown.body());
        assertEquals("unknown_workflow", json(unknown).get("error").asString());

        pausing.release();
        Map<String, CompletableFuture<Object>> outputs = hark.resumedOnOpen().get(30, TimeUnit.SECONDS);
        assertEquals(PARKED, outputs.size());
        HttpResponse<String> ok = get("/health");
        assertEquals(200, ok.statusCode(), ok.body());
        assertEquals("ok", json(ok).get("status").asString(), ok.body());
        assertEquals(PARKED, json(ok).get("resumed").asInt(), ok.body());
        assertEquals(PARKED, json(ok).get("total").asInt(), ok.body());
        for (int i = 0; i < PARKED; i++) {
            HttpResponse<String> delivered = postEvent(id(i), "\"after\"");
            assertEquals(200, delivered.statusCode(), id(i) + ": " + delivered.body());
        }
        for (int i = 0; i < PARKED; i++) {
            assertEquals("after", ((HttpEvent) outputs.get(id(i)).get(30, TimeUnit.SECONDS)).eventPayload());
        }
    }

    @Test
    void aResumableWorkflowWithNoResumptionInProgressKeeps404WorkflowNotRunning() throws Exception {
        parkWorkflowsAndStop();
        openPaused(0, false); // nobody calls resumeAll

        HttpResponse<String> response = postEvent(id(3), "1");
        assertEquals(404, response.statusCode(), response.body());
        assertEquals("workflow_not_running", json(response).get("error").asString(), response.body());
        Delivery fromJava = hark.sendEvent(id(3), "k", 1).get(30, TimeUnit.SECONDS);
        assertEquals(
                Delivery.Reason.WORKFLOW_NOT_RUNNING,
                assertInstanceOf(Delivery.NotWaiting.class, fromJava).reason());
        HttpResponse<String> health = get("/health");
        assertEquals(200, health.statusCode(), health.body());
        assertEquals("ok", json(health).get("status").asString());
        assertFalse(hark.resumeProgress().resuming());
    }

    @Test
    void closingWhileResumingStopsTheResumptionAndTheNextRuntimeResumesEverything() throws Exception {
        parkWorkflowsAndStop();
        openPaused(RESUMED_FIRST, true);
        pausing.awaitPaused();
        // close waits for the paused resumption's thread; once it may go on, close must end, and
        // with it the resumption (finished or stopped), leaving the folder resumable
        CompletableFuture<Void> closing = CompletableFuture.runAsync(hark::close, helper);
        pausing.release();
        closing.get(30, TimeUnit.SECONDS);
        assertTrue(hark.resumedOnOpen().isDone(), "the resumption outlived close");
        assertFalse(hark.resumeProgress().resuming());
        hark = null;
        pausing = null;

        try (Hark again = Hark.open(dataDir)) {
            assertEquals(
                    PARKED,
                    again.list(dev.hark.workflow.WorkflowStatus.RESUMABLE).size());
            assertEquals(PARKED, again.resumeAll().size());
        }
    }

    private HttpResponse<String> postEvent(String workflowId, String payloadJson) throws Exception {
        return CLIENT.send(
                request("/event/send_event/" + workflowId)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(
                                "{\"event_key\": \"k\", \"event_payload\": " + payloadJson + "}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return CLIENT.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest.Builder request(String path) {
        int port = hark.httpAddress().orElseThrow().getPort();
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30));
    }

    private static JsonNode json(HttpResponse<String> response) {
        return Json.MAPPER.readTree(response.body());
    }
}
