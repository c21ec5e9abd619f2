package dev.hark.runtime.testing;

import dev.hark.api.EventContext;
import dev.hark.api.EventListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.stream.Stream;

/**
 * A durable event source for crash tests: a folder in which each {@code *.event} file is one event,
 * forgotten (deleted) only when committed. Everything the listener does is appended, with a sync,
 * to {@code ledger.txt} in the folder, so the ledger survives the SIGKILL of the JVM that wrote it.
 *
 * <p>Marker files let a test freeze the listener at a chosen point: {@code hold-after-seen} keeps a
 * found event from being returned, {@code hold-in-commit} keeps {@code eventCheckpointed} from
 * finishing. In {@code eventCheckpointed} the listener also reads the runtime's database (path in
 * system property {@code hark.test.db}) to record whether the event really was checkpointed first.
 */
public final class FileSourceListener implements EventListener<String, FileEvent> {

    @Override
    public CompletionStage<FileEvent> pollForEvent(String folder, EventContext context) {
        Path dir = Path.of(folder);
        append(dir, "poll pid=" + ProcessHandle.current().pid());
        CompletableFuture<FileEvent> result = new CompletableFuture<>();
        look(dir, context, result);
        return result;
    }

    private static void look(Path dir, EventContext context, CompletableFuture<FileEvent> result) {
        if (result.isDone() || context.isCancelled()) {
            return;
        }
        Optional<Path> next = oldestEvent(dir);
        if (next.isPresent() && !Files.exists(dir.resolve("hold-after-seen"))) {
            Path file = next.get();
            String id = file.getFileName().toString().replace(".event", "");
            FileEvent event = new FileEvent(dir.toString(), id, read(file));
            append(dir, "seen " + id);
            result.complete(event);
            return;
        }
        if (next.isPresent()) {
            appendOnce(dir, "held " + next.get().getFileName().toString().replace(".event", ""));
        }
        context.timerAt(Instant.now().plusMillis(20)).thenRun(() -> look(dir, context, result));
    }

    @Override
    public CompletionStage<Void> eventCheckpointed(FileEvent event, EventContext context) {
        Path dir = Path.of(event.folder());
        append(dir, "checkpointed " + event.id() + " stored=" + isStored(context, event));
        if (Files.exists(dir.resolve("hold-in-commit"))) {
            return new CompletableFuture<>();
        }
        boolean deleted;
        try {
            deleted = Files.deleteIfExists(dir.resolve(event.id() + ".event"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        append(dir, "commit " + event.id() + " deleted=" + deleted);
        return CompletableFuture.completedFuture(null);
    }

    /** Writes an event file atomically. */
    public static void publish(Path dir, String id, String payload) throws IOException {
        Path temp = dir.resolve(id + ".tmp");
        Files.writeString(temp, payload, StandardCharsets.UTF_8);
        Files.move(temp, dir.resolve(id + ".event"), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static boolean isStored(EventContext context, FileEvent event) {
        String db = System.getProperty("hark.test.db");
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + db);
                PreparedStatement query = connection.prepareStatement(
                        "SELECT state, output FROM tasks WHERE workflow_id = ? AND task_id = ?")) {
            query.setString(1, context.workflowId());
            query.setString(2, context.taskId());
            try (ResultSet row = query.executeQuery()) {
                return row.next()
                        && row.getString("output").contains(event.id())
                        && !row.getString("state").isEmpty();
            }
        } catch (SQLException e) {
            return false;
        }
    }

    private static Optional<Path> oldestEvent(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".event"))
                    .sorted()
                    .findFirst();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static synchronized void appendOnce(Path dir, String line) {
        if (!ledger(dir).contains(line)) {
            append(dir, line);
        }
    }

    /** @return the ledger's lines so far */
    public static java.util.List<String> ledger(Path dir) {
        try {
            Path ledger = dir.resolve("ledger.txt");
            return Files.exists(ledger) ? Files.readAllLines(ledger) : java.util.List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static synchronized void append(Path dir, String line) {
        try {
            Files.writeString(
                    dir.resolve("ledger.txt"),
                    line + "\n",
                    StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND,
                    StandardOpenOption.SYNC);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
