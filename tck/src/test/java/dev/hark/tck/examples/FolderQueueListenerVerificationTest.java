package dev.hark.tck.examples;

import dev.hark.tck.ListenerVerification;
import dev.hark.tck.Publication;
import dev.hark.tck.SourceFixture;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/** The whole TCK for the example folder queue: this is all a listener author writes. */
class FolderQueueListenerVerificationTest extends ListenerVerification<String, FolderEvent> {

    @Override
    protected Class<FolderQueueListener> listener() {
        return FolderQueueListener.class;
    }

    @Override
    protected SourceFixture<String> createFixture() throws IOException {
        return new FolderFixture(Files.createTempDirectory("folder-queue-"));
    }

    /** Channels are folders; publishing writes a file atomically; committed = published and gone. */
    static final class FolderFixture implements SourceFixture<String> {
        private final Path root;
        private final Map<String, AtomicLong> sequences = new ConcurrentHashMap<>();
        private final Map<String, Set<String>> published = new ConcurrentHashMap<>();

        FolderFixture(Path root) {
            this.root = root;
        }

        @Override
        public String newChannel(String name) {
            try {
                return Files.createDirectories(root.resolve(name)).toString();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public CompletionStage<String> publish(String folder, String payload, Publication publication)
                throws IOException {
            Path dir = Path.of(folder);
            String name = String.format(
                    "e%06d",
                    sequences.computeIfAbsent(folder, f -> new AtomicLong()).incrementAndGet());
            Path temp = dir.resolve(name + ".tmp");
            Files.writeString(temp, payload, StandardCharsets.UTF_8);
            Files.move(temp, dir.resolve(name + ".event"), StandardCopyOption.ATOMIC_MOVE);
            String id = dir.getFileName() + "/" + name;
            published
                    .computeIfAbsent(folder, f -> ConcurrentHashMap.newKeySet())
                    .add(id);
            return CompletableFuture.completedFuture(id);
        }

        @Override
        public Optional<Set<String>> committed(String folder) {
            Set<String> gone = new HashSet<>();
            Path dir = Path.of(folder);
            for (String id : published.getOrDefault(folder, Set.of())) {
                String name = id.substring(id.indexOf('/') + 1);
                if (!Files.exists(dir.resolve(name + ".event"))) {
                    gone.add(id);
                }
            }
            return Optional.of(gone);
        }

        @Override
        public void close() throws IOException {
            try (Stream<Path> files = Files.walk(root)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
