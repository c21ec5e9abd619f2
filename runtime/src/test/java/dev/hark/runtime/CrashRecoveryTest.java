package dev.hark.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hark.runtime.testing.Await;
import dev.hark.runtime.testing.CrashChild;
import dev.hark.runtime.testing.FileEvent;
import dev.hark.runtime.testing.FileSourceListener;
import dev.hark.runtime.testing.HaltAfterRaceStore;
import dev.hark.workflow.Dag;
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
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real crashes: a child JVM runs a workflow and is killed with SIGKILL (no shutdown hook, nothing
 * flushed politely) at a chosen point of the protocol; a second child resumes on the same data
 * folder. The file source's ledger, synced line by line, tells what each JVM did.
 */
class CrashRecoveryTest {

    @TempDir
    Path dataDir;

    @TempDir
    Path source;

    private final List<Process> children = new ArrayList<>();

    @AfterEach
    void killLeftovers() {
        children.forEach(Process::destroyForcibly);
    }

    @Test
    void killedAfterTheEventReachedTheRuntimeButBeforeTheCheckpointThePollRunsAgainAndDeliversOnce() throws Exception {
        Files.createFile(source.resolve("hold-after-seen"));
        FileSourceListener.publish(source, "e1", "hello");
        Process first = child("start");
        awaitLedger(l -> l.contains("held e1"));
        kill(first);

        Files.delete(source.resolve("hold-after-seen"));
        Process second = child("resume");
        List<String> out = finish(second);

        List<String> ledger = FileSourceListener.ledger(source);
        assertEquals(2, count(ledger, "poll"), "poll runs exactly twice in total: " + ledger);
        assertEquals(
                List.of("checkpointed e1 stored=true"),
                matching(ledger, "checkpointed"),
                "eventCheckpointed ran once, after the checkpoint: " + ledger);
        assertEquals(List.of("commit e1 deleted=true"), matching(ledger, "commit"), ledger.toString());
        assertTrue(out.contains("OUTPUT downstream got e1 carrying hello"), out.toString());
        assertFalse(Files.exists(source.resolve("e1.event")), "the committed event is gone from its source");
    }

    @Test
    void killedWhilePollingBeforeAnyEventThePollRunsAgainAfterRestart() throws Exception {
        Process first = child("start");
        awaitLedger(l -> count(l, "poll") == 1);
        kill(first);

        Process second = child("resume");
        awaitLedger(l -> count(l, "poll") == 2);
        FileSourceListener.publish(source, "e2", "late");
        List<String> out = finish(second);

        List<String> ledger = FileSourceListener.ledger(source);
        assertEquals(2, count(ledger, "poll"), ledger.toString());
        assertEquals(List.of("checkpointed e2 stored=true"), matching(ledger, "checkpointed"), ledger.toString());
        assertTrue(out.contains("OUTPUT downstream got e2 carrying late"), out.toString());
    }

    @Test
    void killedInsideEventCheckpointedTheCommitRunsAgainAndThePollNever() throws Exception {
        Files.createFile(source.resolve("hold-in-commit"));
        FileSourceListener.publish(source, "e3", "precious");
        Process first = child("start");
        awaitLedger(l -> l.contains("checkpointed e3 stored=true"));
        kill(first);
        assertTrue(Files.exists(source.resolve("e3.event")), "not committed yet");

        Files.delete(source.resolve("hold-in-commit"));
        Process second = child("resume");
        List<String> out = finish(second);

        List<String> ledger = FileSourceListener.ledger(source);
        assertEquals(1, count(ledger, "poll"), "poll never runs again after the checkpoint: " + ledger);
        assertEquals(
                List.of("checkpointed e3 stored=true", "checkpointed e3 stored=true"),
                matching(ledger, "checkpointed"),
                "eventCheckpointed runs again: " + ledger);
        assertEquals(List.of("commit e3 deleted=true"), matching(ledger, "commit"), ledger.toString());
        assertTrue(
                out.contains("OUTPUT downstream got e3 carrying precious"), "downstream gets the stored event: " + out);
    }

    @Test
    void killedWhileATimerIsPendingOnlyTheRemainderIsWaitedAfterRestart() throws Exception {
        Process first = child("start", "sleep");
        Instant deadline = awaitStoredDeadline();
        Thread.sleep(2_500);
        kill(first);

        Instant restart = Instant.now();
        Process second = child("resume", "sleep");
        List<String> out = finish(second);

        assertTrue(
                out.contains("OUTPUT deadline=" + deadline),
                "the deadline fixed before the crash is kept, not re-fixed: " + deadline + " vs " + out);
        Instant finished = Instant.ofEpochMilli(Long.parseLong(out.stream()
                .filter(l -> l.startsWith("FINISHED_AT "))
                .findFirst()
                .orElseThrow()
                .substring(12)));
        assertFalse(finished.isBefore(deadline), "fired before its deadline");
        assertTrue(
                finished.isBefore(restart.plus(CrashChild.SLEEP)),
                "after the restart only the remainder is waited, not the whole " + CrashChild.SLEEP + ": restart "
                        + restart + ", deadline " + deadline + ", finished " + finished);
    }

    @Test
    void killedAfterAnHttpPayloadReachedTheRuntimeButBeforeItsCheckpointTheSenderNeverGot200AndARetryIsDeliveredOnce()
            throws Exception {
        Process first = child("start", "http");
        CompletableFuture<HttpResponse<String>> firstPost =
                CLIENT.sendAsync(eventRequest(awaitPort(), "first"), HttpResponse.BodyHandlers.ofString());
        awaitFile(source.resolve("held"));
        kill(first);
        Integer firstStatus = firstPost
                .handle((response, failure) -> failure == null ? response.statusCode() : null)
                .get(30, TimeUnit.SECONDS);
        assertTrue(firstStatus == null || firstStatus != 200, "the first POST must not get 200, got " + firstStatus);

        Files.delete(source.resolve("port"));
        Process second = child("resume", "http");
        int port = awaitPort();
        HttpResponse<String> retry = Await.value(
                () -> CLIENT.send(eventRequest(port, "second"), HttpResponse.BodyHandlers.ofString()),
                response -> response.statusCode() != 404, // until the resumed child parked its wait again
                response -> "the resumed wait never registered: 404 " + response.body());
        assertEquals(200, retry.statusCode(), retry.body());
        List<String> out = finish(second);
        assertTrue(out.contains("OUTPUT downstream got one event with payload second"), out.toString());
    }

    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    private static HttpRequest eventRequest(int port, String payload) {
        return HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/event/send_event/" + CrashChild.WORKFLOW_ID))
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"event_key\": \"k\", \"event_payload\": \"" + payload + "\"}"))
                .build();
    }

    private int awaitPort() throws Exception {
        awaitFile(source.resolve("port"));
        return Integer.parseInt(Files.readString(source.resolve("port")).trim());
    }

    @Test
    void competingWaitsOnOneSourceTakeEachEventOnceAcrossAKill() throws Exception {
        int n = CrashChild.COMPETING;
        for (int i = 0; i < 4; i++) { // some there before the waits, the rest while they wait
            FileSourceListener.publish(source, String.format("e%02d", i), "p" + i);
        }
        Process first = child("start", "competing");
        for (int i = 4; i < n; i++) {
            awaitLedger(l -> count(l, "commit") >= 2);
            FileSourceListener.publish(source, String.format("e%02d", i), "p" + i);
        }
        awaitLedger(l -> count(l, "commit") >= n / 2);
        kill(first);

        Process second = child("resume", "competing");
        finish(second);

        List<String> ledger = FileSourceListener.ledger(source);
        java.util.Map<String, String> takers = new java.util.TreeMap<>();
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve("hark.db"));
                ResultSet rows = db.createStatement().executeQuery("SELECT id, status, output FROM workflows")) {
            while (rows.next()) {
                assertEquals("SUCCESSFUL", rows.getString(2), rows.getString(1) + " " + ledger);
                String output = dev.hark.workflow.internal.ValueCodec.rawValue(rows.getString(3))
                        .asString();
                String event = output.split(" ")[2];
                String previous = takers.put(event, rows.getString(1));
                assertEquals(
                        null, previous, event + " reached " + previous + " and " + rows.getString(1) + ": " + ledger);
            }
        }
        assertEquals(n, takers.size(), "every event reached one workflow: " + takers + " " + ledger);
        for (String event : takers.keySet()) {
            // A kill between the commit and its record repeats the (idempotent) commit: deleted once.
            // A kill between the deletion and its ledger line leaves no "deleted=true" line at all (the
            // repeated commit finds nothing): the file is gone all the same.
            List<String> deletions = ledger.stream()
                    .filter(l -> l.equals("commit " + event + " deleted=true"))
                    .toList();
            assertTrue(deletions.size() <= 1, "consumed once: " + ledger);
            assertFalse(Files.exists(source.resolve(event + ".event")), event + " is still at its source: " + ledger);
        }
    }

    @Test
    void killedBetweenARacesWinningCheckpointAndItsLosersCancellationTheLoserIsNeverDelivered() throws Exception {
        Path a = Files.createDirectories(source.resolve("a"));
        Path b = Files.createDirectories(source.resolve("b"));
        FileSourceListener.publish(a, "ea", "from a");
        FileSourceListener.publish(b, "eb", "from b");
        Process first = child("start", "race");
        assertTrue(first.waitFor(60, TimeUnit.SECONDS), "the child never reached the race's checkpoint");
        assertEquals(
                HaltAfterRaceStore.EXIT_CODE,
                first.exitValue(),
                "halted right after the winning checkpoint: " + Files.readAllLines(source.resolve("child-start.out")));

        Process second = child("resume", "race");
        List<String> out = finish(second);

        String result = out.stream()
                .filter(line -> line.startsWith("OUTPUT "))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no output: " + out));
        boolean aWon = result.equals("OUTPUT race won by 0 with ea carrying from a");
        assertTrue(aWon || result.equals("OUTPUT race won by 1 with eb carrying from b"), result);
        Path winner = aWon ? a : b;
        Path loser = aWon ? b : a;
        String winnerId = aWon ? "ea" : "eb";
        String loserId = aWon ? "eb" : "ea";
        List<String> won = FileSourceListener.ledger(winner);
        List<String> lost = FileSourceListener.ledger(loser);
        assertEquals(1, count(won, "poll"), "the winner is committed after the restart, never polled: " + won);
        assertEquals(
                List.of("commit " + winnerId + " deleted=true"), matching(won, "commit"), "winner committed: " + won);
        assertEquals(1, count(lost, "poll"), "the restarted workflow never polls the loser again: " + lost);
        assertEquals(List.of(), matching(lost, "checkpointed"), "the loser was never checkpointed: " + lost);
        assertEquals(List.of(), matching(lost, "commit"), "the loser committed nothing: " + lost);
        assertTrue(Files.exists(loser.resolve(loserId + ".event")), "the loser's event stays at its source");

        Path nextRuntime = source.resolve("next-runtime");
        System.setProperty("hark.test.db", nextRuntime.resolve("hark.db").toString());
        try (Hark hark = Hark.open(nextRuntime)) {
            FileEvent next = hark.run(Dag.waitForEvent(FileSourceListener.class, loser.toString()), "next");
            assertEquals(loserId, next.id(), "the next wait on the loser's source takes its event");
        } finally {
            System.clearProperty("hark.test.db");
        }
        assertFalse(Files.exists(loser.resolve(loserId + ".event")));
    }

    @Test
    void killedInTheMiddleOfAChainOfContinuationsTheResumeRunsNothingThatFinished() throws Exception {
        FileSourceListener.publish(source, "p1", "first");
        Process first = child("start", "loop");
        // the first step is applied and its continuation stored once the next step's wait polls
        awaitLedger(l -> count(l, "poll") == 2);
        kill(first);

        FileSourceListener.publish(source, "p2", "second");
        FileSourceListener.publish(source, "p3", "third");
        Process second = child("resume", "loop");
        List<String> out = finish(second);

        List<String> ledger = FileSourceListener.ledger(source);
        assertTrue(out.contains("OUTPUT paid p1 p2 p3 "), out.toString());
        assertEquals(
                List.of("applied p1", "applied p2", "applied p3"),
                matching(ledger, "applied"),
                "each step ran once; the one before the kill not again: " + ledger);
        assertEquals(
                List.of("commit p1 deleted=true", "commit p2 deleted=true", "commit p3 deleted=true"),
                matching(ledger, "commit").stream()
                        .filter(line -> line.endsWith("deleted=true"))
                        .toList(),
                "each event consumed once (a commit cut by the kill is repeated, finding nothing): " + ledger);
        // A wait may poll while the event before it is checkpointed (claimed) but not yet consumed at
        // the source: it sees that event again, the claim refuses it (R7.1), and it polls once more.
        assertEquals(
                4,
                count(ledger, "poll") - repeatedSightings(ledger),
                "two polls before the kill, the open wait again, then the last (not counting a poll that saw"
                        + " an already claimed event again): " + ledger);
    }

    /** @return how many "seen X" lines name an event seen before */
    private static long repeatedSightings(List<String> ledger) {
        Set<String> seen = new HashSet<>();
        return matching(ledger, "seen").stream().filter(line -> !seen.add(line)).count();
    }

    private static void awaitFile(Path file) throws InterruptedException {
        Await.until(() -> Files.exists(file), () -> file + " never appeared");
    }

    private Process child(String mode) throws IOException {
        return child(mode, "event");
    }

    private Process child(String mode, String scenario) throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder builder = new ProcessBuilder(
                        java.toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        "-Dhark.test.db=" + dataDir.resolve("hark.db"),
                        CrashChild.class.getName(),
                        dataDir.toString(),
                        mode,
                        scenario,
                        source.toString())
                .redirectErrorStream(true)
                .redirectOutput(source.resolve("child-" + mode + ".out").toFile());
        Process process = builder.start();
        children.add(process);
        return process;
    }

    private static void kill(Process process) throws InterruptedException {
        process.destroyForcibly();
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "child did not die");
        assertEquals(137, process.exitValue(), "killed by SIGKILL");
    }

    private List<String> finish(Process process) throws Exception {
        boolean exited = process.waitFor(60, TimeUnit.SECONDS);
        List<String> out = Files.readAllLines(source.resolve("child-resume.out"));
        assertTrue(exited, "resumed child did not finish: " + out + " ledger " + FileSourceListener.ledger(source));
        assertEquals(0, process.exitValue(), "resumed child failed: " + out);
        return out;
    }

    private void awaitLedger(Predicate<List<String>> condition) throws InterruptedException {
        Await.until(
                () -> condition.test(FileSourceListener.ledger(source)),
                () -> "ledger never reached the expected state: " + FileSourceListener.ledger(source));
    }

    private Instant awaitStoredDeadline() throws Exception {
        return Await.value(
                        this::storedDeadline,
                        Optional::isPresent,
                        none -> "the sleep task never checkpointed its deadline")
                .orElseThrow();
    }

    private Optional<Instant> storedDeadline() throws SQLException {
        if (!Files.exists(dataDir.resolve("hark.db"))) {
            return Optional.empty();
        }
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve("hark.db"));
                ResultSet row = db.createStatement()
                        .executeQuery("SELECT output FROM tasks WHERE task_id = 'sleep_deadline'")) {
            if (!row.next()) {
                return Optional.empty();
            }
            String value = dev.hark.workflow.internal.ValueCodec.rawValue(row.getString(1))
                    .asString();
            return Optional.of(Instant.parse(value));
        } catch (SQLException notYet) {
            return Optional.empty(); // the schema may not exist yet
        }
    }

    private static long count(List<String> ledger, String word) {
        return matching(ledger, word).size();
    }

    private static List<String> matching(List<String> ledger, String word) {
        return ledger.stream()
                .filter(l -> l.equals(word) || l.startsWith(word + " "))
                .toList();
    }
}
