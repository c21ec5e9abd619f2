package dev.hark.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hark.listeners.http.HttpListener;
import dev.hark.runtime.http.HttpSettings;
import dev.hark.runtime.storage.sqlite.SqliteWorkflowStore;
import dev.hark.runtime.testing.Await;
import dev.hark.runtime.testing.PausingStore;
import dev.hark.workflow.Dag;
import dev.hark.workflow.internal.Json;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Resuming 2,000 parked workflows after a restart reports its progress: {@code /health} counts
 * them while it runs and reaches the total, and the log has a line when it begins, progress lines
 * on the way and a last line at the total. The resumption is held half-way by a store whose bulk
 * read pauses, never by timing.
 */
class ResumeProgressTest {

    private static final int PARKED = 2_000;
    private static final HttpClient CLIENT =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final Pattern PROGRESS = Pattern.compile("resumed ([0-9,]+) of 2,000 workflows \\(\\d+%\\)");

    @TempDir
    Path dataDir;

    @Test
    void resumingManyWorkflowsLogsProgressAndHealthReachesTheTotal() throws Exception {
        try (Hark first = Hark.open(dataDir)) {
            List<CompletableFuture<Void>> started = new ArrayList<>();
            for (int i = 0; i < PARKED; i++) {
                started.add(first.start(Dag.waitForEvent(HttpListener.class, "k"), String.format("w-%04d", i))
                        .started());
            }
            CompletableFuture.allOf(started.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        }

        // The runtime logs (slf4j-simple) to whatever System.err is when it writes.
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream err = System.err;
        System.setErr(new PrintStream(new Tee(err, captured), true, StandardCharsets.UTF_8));
        PausingStore[] pausing = new PausingStore[1];
        try (Hark hark = Hark.builder()
                .dataDir(dataDir)
                .http(HttpSettings.defaults().withPort(0))
                .adminApi(true)
                .resumeAllOnOpen(true)
                .store(dir -> pausing[0] = new PausingStore(SqliteWorkflowStore.open(dir), PARKED / 2))
                .open()) {
            String health =
                    "http://127.0.0.1:" + hark.httpAddress().orElseThrow().getPort() + "/health";
            pausing[0].awaitPaused();
            Await.until(
                    () -> hark.resumeProgress().resumed() == PARKED / 2,
                    () -> "the first half was not re-parked: " + hark.resumeProgress());
            JsonNode halfWay = get(health, 503);
            assertEquals("starting", halfWay.get("status").asString(), halfWay.toString());
            assertEquals(PARKED / 2, halfWay.get("resumed").asInt(), halfWay.toString());
            assertEquals(PARKED, halfWay.get("total").asInt(), halfWay.toString());
            assertTrue(halfWay.get("reason").asString().contains(PARKED / 2 + " of " + PARKED), halfWay.toString());

            pausing[0].release();
            assertEquals(PARKED, hark.resumedOnOpen().get(60, TimeUnit.SECONDS).size());
            JsonNode done = get(health, 200);
            assertEquals(PARKED, done.get("resumed").asInt(), done.toString());
            assertEquals(PARKED, done.get("total").asInt(), done.toString());
        } finally {
            System.setErr(err);
        }

        List<String> lines = captured.toString(StandardCharsets.UTF_8)
                .lines()
                .filter(line -> line.contains("ResumeProgressLog"))
                .toList();
        assertTrue(lines.get(0).contains("resuming 2,000 workflows"), lines.toString());
        assertTrue(
                lines.get(lines.size() - 1)
                        .endsWith("resumed 2,000 of 2,000 workflows (100%); every one waits for its events again"),
                lines.toString());
        int previous = 0;
        int progressLines = 0;
        for (String line : lines.subList(1, lines.size() - 1)) {
            Matcher m = PROGRESS.matcher(line);
            assertTrue(m.find(), line);
            int count = Integer.parseInt(m.group(1).replace(",", ""));
            assertTrue(count > previous && count < PARKED, lines.toString());
            previous = count;
            progressLines++;
        }
        // Every tenth up to the pause at least (the counts arrive from many threads, so some lines may
        // name a count past the tenth, but each tenth crossed brings one).
        assertTrue(progressLines >= 5, lines.toString());
    }

    private static JsonNode get(String url, int expectedStatus) throws Exception {
        HttpResponse<String> response = CLIENT.send(
                HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(expectedStatus, response.statusCode(), response.body());
        return Json.MAPPER.readTree(response.body());
    }

    /** Writes to both streams: the test reads the log, and the build output keeps it. */
    private static final class Tee extends OutputStream {
        private final OutputStream first;
        private final OutputStream second;

        Tee(OutputStream first, OutputStream second) {
            this.first = first;
            this.second = second;
        }

        @Override
        public synchronized void write(int b) throws java.io.IOException {
            first.write(b);
            second.write(b);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) throws java.io.IOException {
            first.write(b, off, len);
            second.write(b, off, len);
        }

        @Override
        public void flush() throws java.io.IOException {
            first.flush();
            second.flush();
        }
    }
}
