package dev.hark.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hark.runtime.testing.Await;
import dev.hark.runtime.testing.CrashChild;
import dev.hark.workflow.internal.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Early events across real crashes [R9.2, R9.3]: a child JVM buffers an event for a workflow whose
 * wait is not registered yet and is killed with SIGKILL at a chosen point; a second child resumes
 * on the same folder. The workflow has two waits on the same key, one after the other, and the
 * test sends a second event once the first is in: a lost early event leaves the first wait empty,
 * a doubled one feeds both waits ("early early"), so only "early late" is exactly once.
 */
class EarlyEventCrashTest {

    @TempDir
    Path dataDir;

    @TempDir
    Path folder;

    private final List<Process> children = new ArrayList<>();

    @AfterEach
    void killLeftovers() {
        children.forEach(Process::destroyForcibly);
    }

    @Test
    void killedRightAfterTheBuffered200TheEventIsDeliveredOnceAfterRestart() throws Exception {
        Process first = child("start", "early");
        sendEarlyEvent();
        kill(first);
        assertEquals(1, rows("SELECT COUNT(*) FROM early_events"), "durable before the 200");

        resumeAndFinish("early");
    }

    @Test
    void killedWhileTheBufferedEventsCheckpointIsInFlightItIsDeliveredOnceAfterRestart() throws Exception {
        Process first = child("start", "early-held");
        sendEarlyEvent();
        Files.createFile(folder.resolve("release"));
        awaitFile(folder.resolve("held")); // the wait took the buffered event; its checkpoint never lands
        kill(first);
        assertEquals(1, rows("SELECT COUNT(*) FROM early_events"), "still buffered: nothing was checkpointed");

        resumeAndFinish("early-held");
    }

    @Test
    void killedRightAfterTheBufferedEventsCheckpointItIsNotDeliveredAgain() throws Exception {
        Process first = child("start", "early-durable");
        sendEarlyEvent();
        Files.createFile(folder.resolve("release"));
        awaitFile(folder.resolve("durable")); // checkpoint committed, the runtime never heard
        kill(first);
        assertEquals(0, rows("SELECT COUNT(*) FROM early_events"), "the row went with the checkpoint");
        assertEquals(1, rows("SELECT COUNT(*) FROM tasks WHERE state = 'CHECKPOINTED'"));

        resumeAndFinish("early-durable");
    }

    private void sendEarlyEvent() throws Exception {
        int port = awaitPort();
        HttpClient client = HttpClient.newHttpClient(); // one per child: a new child may get the old one's port
        HttpResponse<String> buffered = Await.value(
                () -> sendQuietly(client, eventRequest(port, "early", "early-1")),
                response -> response != null && response.statusCode() != 404, // until the workflow started
                response -> "the workflow never started: " + (response == null ? "no reply" : response.body()));
        assertEquals(200, buffered.statusCode(), buffered.body());
        assertEquals(
                "buffered", Json.MAPPER.readTree(buffered.body()).get("status").asString(), buffered.body());
    }

    private void resumeAndFinish(String scenario) throws Exception {
        Files.deleteIfExists(folder.resolve("port"));
        if (!Files.exists(folder.resolve("release"))) {
            Files.createFile(folder.resolve("release"));
        }
        Process second = child("resume", scenario);
        int port = awaitPort();
        // The second wait gets "late" (buffered behind "early" if the first wait has not taken it yet).
        HttpClient client = HttpClient.newHttpClient();
        HttpResponse<String> late = Await.value(
                () -> sendQuietly(client, eventRequest(port, "late", "late-1")),
                response -> response != null && response.statusCode() == 200,
                response -> "the resumed workflow never took the event: "
                        + (response == null ? "no reply" : response.statusCode() + " " + response.body()));
        assertTrue(late.body().contains("\"late-1\""), late.body());

        boolean exited = second.waitFor(60, TimeUnit.SECONDS);
        List<String> out = Files.readAllLines(folder.resolve("child-resume.out"));
        assertTrue(exited, "resumed child did not finish: " + out);
        assertEquals(0, second.exitValue(), "resumed child failed: " + out);
        assertTrue(out.contains("OUTPUT early late"), "the early event reached the first wait only: " + out);
        assertEquals(0, rows("SELECT COUNT(*) FROM early_events"), "nothing left buffered");
    }

    /** @return the response, or null when the connection failed (the child is not listening yet) */
    private static HttpResponse<String> sendQuietly(HttpClient client, HttpRequest request)
            throws InterruptedException {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return null;
        }
    }

    private static HttpRequest eventRequest(int port, String payload, String idempotencyKey) {
        return HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/event/send_event/" + CrashChild.WORKFLOW_ID))
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", idempotencyKey)
                .timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"event_key\": \"k\", \"event_payload\": \"" + payload + "\"}"))
                .build();
    }

    private long rows(String sql) throws Exception {
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve("hark.db"));
                ResultSet rs = db.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private int awaitPort() throws Exception {
        awaitFile(folder.resolve("port"));
        return Integer.parseInt(Files.readString(folder.resolve("port")).trim());
    }

    private static void awaitFile(Path file) throws InterruptedException {
        Await.until(() -> Files.exists(file), () -> file + " never appeared");
    }

    private Process child(String mode, String scenario) throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process process = new ProcessBuilder(
                        java.toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        CrashChild.class.getName(),
                        dataDir.toString(),
                        mode,
                        scenario,
                        folder.toString())
                .redirectErrorStream(true)
                .redirectOutput(folder.resolve("child-" + mode + ".out").toFile())
                .start();
        children.add(process);
        return process;
    }

    private static void kill(Process process) throws InterruptedException {
        process.destroyForcibly();
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "child did not die");
        assertEquals(137, process.exitValue(), "killed by SIGKILL");
    }
}
