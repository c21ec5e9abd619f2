package dev.hark.tck;

import dev.hark.api.Event;
import dev.hark.api.EventListener;
import dev.hark.runtime.Hark;
import dev.hark.runtime.WorkflowHandle;
import dev.hark.runtime.event.Delivery;
import dev.hark.runtime.storage.sqlite.SqliteWorkflowStore;
import dev.hark.workflow.Dag;
import dev.hark.workflow.Node;
import dev.hark.workflow.WaitResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A real Hark runtime over a temporary data folder, through a {@link CrashableStore}, that the TCK
 * can crash and restart on the same storage. Each runtime it opens (the first, and every restart)
 * runs the listener from a {@link FreshListenerClassLoader}: like a new process, a restarted
 * runtime sees none of the listener's static fields of the one before.
 */
final class TckRuntime implements AutoCloseable {

    static final int WORKER_THREADS = 4;
    private static final AtomicInteger RUNS = new AtomicInteger();

    private final Path dir;
    private final String prefix;
    private final Duration liveness;
    private final Class<?> listener;
    private volatile CrashableStore store;
    private volatile Hark hark;
    private int restarts;

    /** @param listener the listener under test, whose classes each runtime opened here loads anew */
    TckRuntime(Duration liveness, Class<?> listener) {
        this.liveness = liveness;
        this.listener = listener;
        this.prefix = "tck" + ProcessHandle.current().pid() + "-" + RUNS.incrementAndGet();
        try {
            this.dir = Files.createTempDirectory("hark-tck-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        open();
    }

    private void open() {
        hark = Hark.builder()
                .dataDir(dir)
                .workerThreads(WORKER_THREADS)
                .classLoader(new FreshListenerClassLoader(listener))
                .store(d -> store = new CrashableStore(SqliteWorkflowStore.open(d)))
                .open();
    }

    Hark hark() {
        return hark;
    }

    CrashableStore store() {
        return store;
    }

    int restarts() {
        return restarts;
    }

    /** @return a workflow id unique to this runtime's folder */
    String workflowId(String name) {
        return prefix + "-" + name;
    }

    /** Starts a workflow whose only node waits for one event of {@code listener} on {@code args}. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    <A, E extends Event> WorkflowHandle<E> start(
            Class<? extends EventListener<A, E>> listener, A args, String workflowId) {
        Node<E> wait = (Node<E>) Dag.waitForEvent((Class) listener, (Object) args);
        return hark.start(wait, workflowId);
    }

    /** Starts a workflow whose only node waits for one event of {@code listener} on {@code args}, or {@code timeout}. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    <A, E extends Event> WorkflowHandle<WaitResult<E>> startTimed(
            Class<? extends EventListener<A, E>> listener, A args, String workflowId, Duration timeout) {
        Node<WaitResult<E>> wait =
                (Node<WaitResult<E>>) (Node) Dag.waitForEvent((Class) listener, (Object) args, timeout);
        return hark.start(wait, workflowId);
    }

    /** Drops the runtime as a killed process would be dropped, then opens a new one and resumes. */
    Map<String, CompletableFuture<Object>> crashAndRestart() {
        hark.crashForTesting();
        restarts++;
        open();
        return hark.resumeAll();
    }

    /** A polite stop and a new runtime on the same folder, resuming everything. */
    Map<String, CompletableFuture<Object>> closeAndReopen() {
        hark.close();
        restarts++;
        open();
        return hark.resumeAll();
    }

    /** Publications addressed to {@code workflowId}, through whichever runtime is current. */
    Publication publication(String workflowId) {
        return new Publication() {
            @Override
            public String workflowId() {
                return workflowId;
            }

            @Override
            public CompletionStage<String> sendToInbox(String key, Object payload) {
                CompletableFuture<String> accepted = new CompletableFuture<>();
                long deadline = System.nanoTime() + liveness.toNanos();
                attempt(workflowId, key, payload, deadline, accepted);
                return accepted;
            }
        };
    }

    private void attempt(
            String workflowId, String key, Object payload, long deadline, CompletableFuture<String> accepted) {
        if (System.nanoTime() > deadline) {
            accepted.completeExceptionally(new IllegalStateException("the runtime's inbox did not accept an event for ("
                    + workflowId + ", " + key + ") within " + liveness.toMillis() + " ms"));
            return;
        }
        Executor later = CompletableFuture.delayedExecutor(20, TimeUnit.MILLISECONDS);
        CompletableFuture<Delivery> reply;
        try {
            reply = hark.sendEvent(workflowId, key, payload);
        } catch (RuntimeException e) {
            later.execute(() -> attempt(workflowId, key, payload, deadline, accepted));
            return;
        }
        reply.orTimeout(Math.max(1, liveness.toMillis() / 2), TimeUnit.MILLISECONDS)
                .whenComplete((delivery, failure) -> {
                    if (delivery instanceof Delivery.Accepted ok) {
                        accepted.complete(ok.eventId());
                    } else {
                        later.execute(() -> attempt(workflowId, key, payload, deadline, accepted));
                    }
                });
    }

    /** Drops the runtime at once (a polite close would wait for polls that block); the folder is deleted. */
    @Override
    public void close() {
        try {
            hark.crashForTesting();
        } finally {
            deleteQuietly(dir);
        }
    }

    static void deleteQuietly(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // a temp folder; the OS cleans up what is left
                }
            });
        } catch (IOException | UncheckedIOException ignored) {
            // same
        }
    }
}
