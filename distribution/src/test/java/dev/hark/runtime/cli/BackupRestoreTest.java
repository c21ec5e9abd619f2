package dev.hark.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hark.listeners.http.HttpEvent;
import dev.hark.listeners.http.HttpListener;
import dev.hark.runtime.Hark;
import dev.hark.runtime.http.Credentials;
import dev.hark.runtime.http.HttpSettings;
import dev.hark.runtime.testing.Await;
import dev.hark.workflow.Dag;
import dev.hark.workflow.WorkflowStatus;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hark backup} against a server taking events over HTTP at the same time, then
 * {@code hark restore} into a fresh folder: a runtime on the restored folder has every event the
 * server acknowledged (200) before the backup was asked for, and completes those workflows with
 * exactly those events without any being sent again.
 */
class BackupRestoreTest {

    private static final int WORKFLOWS = 80;
    private static final HttpClient CLIENT =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    Path dir;

    private Hark live;

    @AfterEach
    void close() {
        if (live != null) {
            live.close();
        }
    }

    @Test
    void aBackupTakenUnderLoadRestoresEveryEventAcknowledgedBeforeIt() throws Exception {
        live = Hark.builder()
                .dataDir(dir.resolve("live"))
                .http(HttpSettings.defaults().withPort(0))
                .adminApi(true)
                .open();
        String server = "http://127.0.0.1:" + live.httpAddress().orElseThrow().getPort();
        for (int i = 0; i < WORKFLOWS; i++) {
            live.runAsync(Dag.waitForEvent(HttpListener.class, "paid"), "order-" + i);
        }
        Await.until(
                () -> live.metrics().inboxWaits() == WORKFLOWS,
                () -> "waits: " + live.metrics().inboxWaits());

        // Four senders; the second half of the events goes only once the backup was asked for, so
        // that events arrive while it runs.
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        CountDownLatch backupAsked = new CountDownLatch(1);
        AtomicInteger next = new AtomicInteger();
        ExecutorService senders = Executors.newFixedThreadPool(4);
        List<Future<?>> sending = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            sending.add(senders.submit(() -> {
                for (int i = next.getAndIncrement(); i < WORKFLOWS; i = next.getAndIncrement()) {
                    if (i >= WORKFLOWS / 2) {
                        backupAsked.await();
                    }
                    HttpResponse<String> reply = send(server, "order-" + i, "p-" + i);
                    if (reply.statusCode() == 200) {
                        acknowledged.add("order-" + i);
                    }
                }
                return null;
            }));
        }
        Await.until(() -> acknowledged.size() >= WORKFLOWS / 4, () -> "acknowledged: " + acknowledged.size());

        Path backup = dir.resolve("backups").resolve("hark-backup.db");
        Files.createDirectories(backup.getParent());
        Set<String> before = Set.copyOf(acknowledged); // everything acknowledged before the backup is asked for
        backupAsked.countDown();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = HarkCommand.execute(
                new PrintWriter(out, true),
                new PrintWriter(err, true),
                "backup",
                "--to",
                backup.toString(),
                "--server",
                server);
        assertEquals(ExitCodes.OK, code, out + " " + err);
        assertTrue(out.toString().startsWith("Backed up to " + backup), out.toString());
        for (Future<?> sent : sending) {
            sent.get(60, TimeUnit.SECONDS);
        }
        senders.shutdown();
        assertFalse(Files.exists(Path.of(backup + "-wal")), "one self-contained file");
        assertFalse(before.isEmpty());

        // A second backup to the same file is refused; the first is untouched.
        long size = Files.size(backup);
        assertEquals(
                ExitCodes.REFUSED,
                HarkCommand.execute(
                        new PrintWriter(new StringWriter()),
                        new PrintWriter(err, true),
                        "backup",
                        "--to",
                        backup.toString(),
                        "--server",
                        server));
        assertTrue(err.toString().contains("exists"), err.toString());
        assertEquals(size, Files.size(backup));

        // Restoring into the folder the server holds is refused; into a new folder it works.
        assertEquals(ExitCodes.REFUSED, restore(backup, dir.resolve("live")));
        Path restored = dir.resolve("restored");
        assertEquals(ExitCodes.OK, restore(backup, restored));
        assertEquals(ExitCodes.REFUSED, restore(backup, restored), "never over an existing store");

        try (Hark hark = Hark.open(restored)) {
            assertEquals(WORKFLOWS, hark.list().size(), "every workflow started before the backup");
            for (String id : before) {
                WorkflowStatus status = hark.status(id);
                assertTrue(
                        status == WorkflowStatus.SUCCESSFUL || status == WorkflowStatus.RESUMABLE,
                        id + " acknowledged before the backup is checkpointed in it, but is " + status);
                HttpEvent event = (HttpEvent) hark.resumeAsync(id).get(30, TimeUnit.SECONDS);
                assertEquals("p-" + id.substring("order-".length()), event.eventPayload(), id);
            }
        }
    }

    @Test
    void withCredentialsOnlyAnAdminTokenTakesABackup() throws Exception {
        String admin = "admin-token-0123456789";
        String events = "events-token-0123456789";
        live = Hark.builder()
                .dataDir(dir.resolve("live"))
                .http(HttpSettings.defaults()
                        .withPort(0)
                        .withCredentials(Credentials.parse("admin " + admin + "\nevents " + events, "test")))
                .adminApi(true)
                .open();
        String server = "http://127.0.0.1:" + live.httpAddress().orElseThrow().getPort();
        Path backup = dir.resolve("guarded.db");
        assertEquals(401, backupRequest(server, backup, null).statusCode());
        assertEquals(403, backupRequest(server, backup, events).statusCode());
        assertFalse(Files.exists(backup));
        HttpResponse<String> allowed = backupRequest(server, backup, admin);
        assertEquals(200, allowed.statusCode(), allowed.body());
        assertTrue(Files.size(backup) > 0);
        assertEquals(400, backupRequest(server, Path.of("relative.db"), admin).statusCode());
        HttpResponse<String> noFolder = backupRequest(server, dir.resolve("no-such-folder/b.db"), admin);
        assertEquals(
                400, noFolder.statusCode(), "a folder that does not exist is the caller's mistake: " + noFolder.body());
        assertTrue(noFolder.body().contains("invalid_target"), noFolder.body());
    }

    private static HttpResponse<String> backupRequest(String server, Path target, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server + "/admin/backup"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"to\": \"" + target + "\"}"));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void restoreRefusesAFileThatIsNotAHarkBackup() throws Exception {
        Path notABackup = Files.writeString(dir.resolve("notes.db"), "not a database at all, just some text");
        StringWriter err = new StringWriter();
        int code = HarkCommand.execute(
                new PrintWriter(new StringWriter()),
                new PrintWriter(err, true),
                "restore",
                "--from",
                notABackup.toString(),
                "--data",
                dir.resolve("data").toString());
        assertEquals(ExitCodes.REFUSED, code, err.toString());
        assertTrue(err.toString().contains("not a Hark backup"), err.toString());
        assertFalse(Files.exists(dir.resolve("data").resolve("hark.db")));
    }

    private static int restore(Path backup, Path data) {
        return HarkCommand.execute(
                new PrintWriter(new StringWriter()),
                new PrintWriter(new StringWriter()),
                "restore",
                "--from",
                backup.toString(),
                "--data",
                data.toString());
    }

    private static HttpResponse<String> send(String server, String workflowId, String payload) throws Exception {
        return CLIENT.send(
                HttpRequest.newBuilder(URI.create(server + "/event/send_event/" + workflowId))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(
                                "{\"event_key\": \"paid\", \"event_payload\": \"" + payload + "\"}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
