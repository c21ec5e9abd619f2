package dev.hark.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hark.listeners.http.HttpEvent;
import dev.hark.listeners.http.HttpListener;
import dev.hark.runtime.Hark;
import dev.hark.runtime.http.Credentials;
import dev.hark.runtime.http.HttpSettings;
import dev.hark.runtime.testing.Await;
import dev.hark.workflow.Dag;
import dev.hark.workflow.WorkflowFailedException;
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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /metrics} as {@code hark serve} wires it (the Prometheus registry of
 * {@link PrometheusEndpoint}), over a real socket after real work: workflows that wait for HTTP
 * events, a timer, a failing task. The exposition is parsed line by line and specific series are
 * checked against the work done.
 */
class MetricsEndpointTest {

    private static final String HTTP = HttpListener.class.getName();
    private static final String TIMER = dev.hark.listeners.timer.TimerListener.class.getName();
    private static final String ADMIN = "admin-token-0123456789";
    private static final String EVENTS = "events-token-0123456789";

    private static final HttpClient CLIENT =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    Path dataDir;

    private Hark hark;
    private String base;

    @AfterEach
    void close() {
        if (hark != null) {
            hark.close();
        }
    }

    /** A task that always fails: the workflow around it ends FAILED. */
    public static String explode(String input) {
        throw new IllegalStateException("exploded on " + input);
    }

    private void open(HttpSettings http) {
        PrometheusEndpoint metrics = PrometheusEndpoint.create();
        hark = Hark.builder()
                .dataDir(dataDir)
                .http(http.withPort(0))
                .adminApi(true)
                .metrics(metrics.registry())
                .metricsEndpoint(metrics)
                .open();
        base = "http://127.0.0.1:" + hark.httpAddress().orElseThrow().getPort();
    }

    @Test
    void aScrapeAfterRealWorkCountsWhatHappened() throws Exception {
        open(HttpSettings.defaults());
        int sent = 3;
        List<CompletableFuture<HttpEvent>> outputs = new ArrayList<>();
        for (int i = 0; i < sent; i++) {
            outputs.add(hark.runAsync(Dag.waitForEvent(HttpListener.class, "paid"), "order-" + i));
        }
        Exposition parked = Await.value(
                () -> scrape(null).exposition(),
                e -> e.valueOrZero("hark_waits_parked", Map.of("listener", HTTP)) == sent,
                e -> "3 HTTP waits parked: " + e.find("hark_waits_parked", Map.of()));
        assertEquals(sent, parked.value("hark_workflows_active", Map.of()));
        assertEquals(sent, parked.value("hark_inbox_waits", Map.of()));

        for (int i = 0; i < sent; i++) {
            HttpResponse<String> reply =
                    post("/event/send_event/order-" + i, "{\"event_key\":\"paid\",\"event_payload\":" + i + "}");
            assertEquals(200, reply.statusCode(), reply.body());
        }
        assertEquals(
                404,
                post("/event/send_event/nobody", "{\"event_key\":\"paid\",\"event_payload\":1}")
                        .statusCode());
        for (CompletableFuture<HttpEvent> output : outputs) {
            output.get(30, TimeUnit.SECONDS);
        }
        hark.run(Dag.sleep(Duration.ofMillis(50)), "nap");
        ExecutionException failed = assertThrows(
                ExecutionException.class,
                () -> hark.runAsync(Dag.task(MetricsEndpointTest::explode).bind(Dag.value("x")), "doomed")
                        .get(30, TimeUnit.SECONDS));
        assertTrue(failed.getCause() instanceof WorkflowFailedException, failed.toString());

        // Commits are recorded after the checkpoint, on their own: read until all four are in.
        Scrape scrape = Await.value(
                () -> scrape(null),
                s -> s.exposition().valueOrZero("hark_events_committed_total", Map.of("listener", HTTP)) == sent
                        && s.exposition().valueOrZero("hark_events_committed_total", Map.of("listener", TIMER)) == 1
                        && storeSettled(s.exposition()),
                s -> "every commit counted: " + s.exposition().find("hark_events_committed_total", Map.of()));
        assertEquals(PrometheusEndpoint.PROMETHEUS_TEXT, scrape.contentType());
        Exposition e = scrape.exposition();

        assertEquals(sent, e.value("hark_events_checkpointed_total", Map.of("listener", HTTP)));
        assertEquals(1, e.value("hark_events_checkpointed_total", Map.of("listener", TIMER)));
        assertEquals("counter", e.types().get("hark_events_checkpointed_total"));
        assertEquals(0, e.value("hark_waits_parked", Map.of("listener", HTTP)));
        assertEquals(0, e.value("hark_waits_parked", Map.of("listener", TIMER)));
        assertEquals(0, e.value("hark_workflows_active", Map.of()));
        assertEquals(sent + 1, e.value("hark_workflows_finished_total", Map.of("status", "successful")));
        assertEquals(1, e.value("hark_workflows_finished_total", Map.of("status", "failed")));
        // a listener's series exist from its first wait on, at 0 until something fails
        assertEquals(0, e.value("hark_poll_failures_total", Map.of("listener", HTTP)));
        assertEquals(0, e.value("hark_poll_failures_total", Map.of("listener", TIMER)));

        // the checkpoint latency: a histogram with one observation per checkpoint, in seconds
        assertEquals("histogram", e.types().get("hark_checkpoint_duration_seconds"));
        assertEquals(sent, e.value("hark_checkpoint_duration_seconds_count", Map.of("listener", HTTP)));
        assertHistogramWellFormed(e, "hark_checkpoint_duration_seconds", Map.of("listener", HTTP));
        assertTrue(e.value("hark_checkpoint_duration_seconds_sum", Map.of("listener", HTTP)) > 0);

        // one batch-size and one commit-latency observation per committed transaction
        double commits = e.value("hark_store_commits_total", Map.of());
        assertTrue(commits >= 1, "commits " + commits);
        assertEquals(commits, e.value("hark_store_batch_size_count", Map.of()));
        assertEquals(commits, e.value("hark_store_commit_duration_seconds_count", Map.of()));
        assertEquals(e.value("hark_store_writes_total", Map.of()), e.value("hark_store_batch_size_sum", Map.of()));
        assertHistogramWellFormed(e, "hark_store_commit_duration_seconds", Map.of());

        assertEquals(1, e.value("hark_http_replies_total", Map.of("status", "404")));
        assertTrue(e.value("hark_http_replies_total", Map.of("status", "200")) >= sent);
        assertEquals(0, e.value("hark_resume_in_progress", Map.of()));
        assertTrue(e.find("jvm_memory_used_bytes", Map.of()).size() > 0, "the JVM's meters are there too");

        for (String family : e.types().keySet()) {
            assertTrue(e.helps().containsKey(family), "HELP for " + family);
            if (e.types().get(family).equals("counter")) {
                assertTrue(family.endsWith("_total"), "a counter's name ends with _total: " + family);
            }
        }
    }

    @Test
    void openMetricsWhenTheScraperAsksForIt() throws Exception {
        open(HttpSettings.defaults());
        hark.run(Dag.sleep(Duration.ofMillis(10)), "nap");
        Scrape scrape = Await.value(
                () -> scrape("application/openmetrics-text; version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"),
                s -> s.exposition().valueOrZero("hark_events_committed_total", Map.of("listener", TIMER)) == 1,
                s -> "the timer's commit: " + s.exposition().find("hark_events_committed_total", Map.of()));
        assertEquals(PrometheusEndpoint.OPEN_METRICS, scrape.contentType());
        Exposition e = scrape.exposition();
        assertEquals(
                "counter", e.types().get("hark_events_checkpointed"), e.types().toString());
        assertEquals(1, e.value("hark_events_checkpointed_total", Map.of("listener", TIMER)));
    }

    @Test
    void withCredentialsOnlyAnAdminTokenReadsTheMetrics() throws Exception {
        open(HttpSettings.defaults()
                .withCredentials(Credentials.parse("admin " + ADMIN + "\nevents " + EVENTS, "test")));
        assertEquals(401, get("/metrics", null, null).statusCode());
        assertEquals(403, get("/metrics", EVENTS, null).statusCode());
        HttpResponse<String> allowed = get("/metrics", ADMIN, null);
        assertEquals(200, allowed.statusCode(), allowed.body());
        Exposition.parse(allowed.body(), false).value("hark_workflows_active", Map.of());
    }

    /** The store's counters stand still: no commit lands between reading one and the others. */
    private static boolean storeSettled(Exposition e) {
        double commits = e.valueOrZero("hark_store_commits_total", Map.of());
        return commits == e.valueOrZero("hark_store_batch_size_count", Map.of())
                && commits == e.valueOrZero("hark_store_commit_duration_seconds_count", Map.of());
    }

    private static void assertHistogramWellFormed(Exposition e, String name, Map<String, String> labels) {
        List<Exposition.Sample> buckets = e.find(name + "_bucket", labels);
        assertTrue(buckets.size() > 1, "buckets of " + name);
        double previous = 0;
        for (Exposition.Sample bucket : buckets) {
            assertTrue(bucket.value() >= previous, "cumulative buckets: " + buckets);
            previous = bucket.value();
        }
        Exposition.Sample last = buckets.get(buckets.size() - 1);
        assertEquals("+Inf", last.labels().get("le"), "the last bucket is +Inf");
        assertEquals(e.value(name + "_count", labels), last.value(), "+Inf bucket == count");
    }

    private record Scrape(String contentType, Exposition exposition) {}

    private Scrape scrape(String accept) throws Exception {
        HttpResponse<String> reply = get("/metrics", null, accept);
        assertEquals(200, reply.statusCode(), reply.body());
        String type = reply.headers().firstValue("Content-Type").orElseThrow();
        return new Scrape(type, Exposition.parse(reply.body(), type.startsWith("application/openmetrics-text")));
    }

    private HttpResponse<String> get(String path, String token, String accept) throws Exception {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(URI.create(base + path)).GET();
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (accept != null) {
            request.header("Accept", accept);
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String json) throws Exception {
        return CLIENT.send(
                HttpRequest.newBuilder(URI.create(base + path))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(json))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
