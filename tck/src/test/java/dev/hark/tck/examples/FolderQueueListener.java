package dev.hark.tck.examples;

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
 * An example listener over a durable external source with a real commit: a folder is a queue,
 * each {@code *.event} file one event, taken in name order. A poll only reads — the file stays
 * until {@code eventCheckpointed} deletes it, so a crash before the checkpoint loses nothing, and
 * deleting is idempotent. Polling the folder uses the context's timers, so a pending wait holds no
 * thread. Arguments: the folder's path.
 */
public final class FolderQueueListener implements EventListener<String, FolderEvent> {

    static final Duration POLL_INTERVAL = Duration.ofMillis(10);

    @Override
    public CompletionStage<FolderEvent> pollForEvent(String folder, EventContext context) {
        CompletableFuture<FolderEvent> result = new CompletableFuture<>();
        look(Path.of(folder), context, result);
        return result;
    }

    private static void look(Path dir, EventContext context, CompletableFuture<FolderEvent> result) {
        if (result.isDone() || context.isCancelled()) {
            return;
        }
        try {
            Optional<Path> oldest = oldest(dir);
            if (oldest.isPresent()) {
                String file = oldest.get().getFileName().toString();
                String payload = Files.readString(oldest.get(), StandardCharsets.UTF_8);
                result.complete(
                        new FolderEvent(dir.toString(), file.substring(0, file.length() - ".event".length()), payload));
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
    public CompletionStage<Void> eventCheckpointed(FolderEvent event, EventContext context) {
        try {
            Files.deleteIfExists(Path.of(event.folder()).resolve(event.name() + ".event"));
            return CompletableFuture.completedFuture(null);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private static Optional<Path> oldest(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".event"))
                    .sorted()
                    .findFirst();
        }
    }
}
