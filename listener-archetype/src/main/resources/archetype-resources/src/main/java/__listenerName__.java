package ${package};

import dev.hark.api.EventContext;
import dev.hark.api.EventListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.stream.Stream;

/**
 * A listener over a small durable source with a real commit: a folder is a queue, each
 * {@code *.event} file in it one event, taken in name order. Arguments: the folder's path.
 *
 * <p>A workflow waits with {@code Dag.waitForEvent(${listenerName}.class, "/path/to/folder")}; an
 * event arrives when a file such as {@code 0001.event} appears there (write it elsewhere and move
 * it in, so that it is never read half-written).
 *
 * <p>How it keeps the rules of the runtime's listener SPEC:
 * <ul>
 *   <li>a poll only reads: the file stays until {@link #eventCheckpointed} deletes it, so a crash
 *       before the checkpoint loses nothing and the event is delivered again;</li>
 *   <li>deleting is idempotent, since after a crash the runtime commits again;</li>
 *   <li>waiting uses the context's timers, so a pending wait holds no thread, and a cancelled wait
 *       stops looking;</li>
 *   <li>the class is stateless, with a public no-arg constructor.</li>
 * </ul>
 * Replace the folder with your source: keep "read in poll, commit in eventCheckpointed".
 */
public final class ${listenerName} implements EventListener<String, ${listenerName}Event> {

    static final Duration POLL_INTERVAL = Duration.ofMillis(10);
    static final String SUFFIX = ".event";

    @Override
    public CompletionStage<${listenerName}Event> pollForEvent(String folder, EventContext context) {
        CompletableFuture<${listenerName}Event> result = new CompletableFuture<>();
        look(Path.of(folder), context, result);
        return result;
    }

    private static void look(Path dir, EventContext context, CompletableFuture<${listenerName}Event> result) {
        if (result.isDone() || context.isCancelled()) {
            return;
        }
        try {
            Optional<Path> oldest = oldest(dir);
            if (oldest.isPresent()) {
                String file = oldest.get().getFileName().toString();
                String payload = Files.readString(oldest.get(), StandardCharsets.UTF_8);
                String name = file.substring(0, file.length() - SUFFIX.length());
                result.complete(new ${listenerName}Event(dir.toString(), name, payload));
                return;
            }
        } catch (NoSuchFileException committedMeanwhile) {
            // another wait committed it between listing and reading: look again
        } catch (IOException | UncheckedIOException e) {
            result.completeExceptionally(e);
            return;
        }
        context.timerAt(context.clock().instant().plus(POLL_INTERVAL)).thenRun(() -> look(dir, context, result));
    }

    @Override
    public CompletionStage<Void> eventCheckpointed(${listenerName}Event event, EventContext context) {
        try {
            Files.deleteIfExists(Path.of(event.folder()).resolve(event.name() + SUFFIX));
            return CompletableFuture.completedFuture(null);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private static Optional<Path> oldest(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(SUFFIX)).sorted().findFirst();
        }
    }
}
