package dev.hark.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hark.api.EventContext;
import dev.hark.api.EventListener;
import dev.hark.runtime.testing.ChannelEvent;
import dev.hark.workflow.Dag;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Closing a runtime with parked waits: each workflow's output fails with the same "closed" error,
 * and the timers and inbox registrations the runtime handed its listeners end cancelled, as a
 * listener sees {@link CompletableFuture#cancel} (the runtime releases them with one shared
 * exception instead of building one per wait).
 */
class CloseWithParkedWaitsTest {

    private static final Instant FAR_FUTURE = Instant.parse("2100-01-01T00:00:00Z");

    /** Waits on a far timer and an inbox key from its context; keeps both stages, per workflow. */
    public static final class HoldsContextStages implements EventListener<String, ChannelEvent> {
        static final Map<String, List<CompletableFuture<?>>> HELD = new ConcurrentHashMap<>();

        @Override
        public CompletionStage<ChannelEvent> pollForEvent(String key, EventContext context) {
            CompletableFuture<Void> timer = context.timerAt(FAR_FUTURE).toCompletableFuture();
            CompletableFuture<?> message = context.inbox(key).toCompletableFuture();
            CompletableFuture<ChannelEvent> event =
                    timer.applyToEither(message.thenApply(m -> null), ignored -> new ChannelEvent(key, 1, "x"));
            HELD.put(context.workflowId(), List.of(timer, message, event));
            return event;
        }

        @Override
        public CompletionStage<Void> eventCheckpointed(ChannelEvent event, EventContext context) {
            return CompletableFuture.completedFuture(null);
        }
    }

    @Test
    void closeFailsEveryParkedOutputWithTheClosedErrorAndCancelsWhatTheListenersHeld(@TempDir Path dataDir)
            throws Exception {
        List<CompletableFuture<?>> outputs = new ArrayList<>();
        List<String> held = List.of("held-0", "held-1", "held-2");
        Hark hark = Hark.open(dataDir);
        try {
            for (int i = 0; i < 5; i++) {
                WorkflowHandle<?> handle = hark.start(
                        Dag.waitForEvent(dev.hark.listeners.timer.TimerListener.class, FAR_FUTURE.plusSeconds(i)),
                        "timer-" + i);
                handle.started().get(30, TimeUnit.SECONDS);
                outputs.add(handle.output());
            }
            for (String id : held) {
                WorkflowHandle<?> handle = hark.start(Dag.waitForEvent(HoldsContextStages.class, "k-" + id), id);
                handle.started().get(30, TimeUnit.SECONDS);
                outputs.add(handle.output());
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while ((hark.metrics().pendingTimers() < 5 + held.size()
                            || !HoldsContextStages.HELD.keySet().containsAll(held))
                    && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertEquals(5 + held.size(), hark.metrics().pendingTimers());
            assertEquals(held.size(), hark.metrics().inboxWaits());
        } finally {
            hark.close();
        }

        Throwable first = null;
        for (CompletableFuture<?> output : outputs) {
            ExecutionException failed = assertThrows(ExecutionException.class, () -> output.get(30, TimeUnit.SECONDS));
            assertInstanceOf(IllegalStateException.class, failed.getCause());
            assertEquals(
                    "the runtime was closed; the workflow stays resumable",
                    failed.getCause().getMessage());
            if (first == null) {
                first = failed.getCause();
            }
            assertSame(first, failed.getCause(), "one error per close, as before");
        }
        for (String id : held) {
            List<CompletableFuture<?>> stages = HoldsContextStages.HELD.get(id);
            for (CompletableFuture<?> released : stages.subList(0, 2)) {
                assertTrue(released.isCancelled(), "released like cancel(): " + released);
                CancellationException cancelled = assertThrows(CancellationException.class, released::join);
                assertEquals(CancellationException.class, cancelled.getClass());
                assertNull(cancelled.getMessage(), "the message CompletableFuture.cancel gives");
            }
            // the listener's own stage, derived from the released ones, is cancelled itself, before
            // them (R6.3): not failed by theirs with a CompletionException built per wait
            CompletableFuture<?> own = stages.get(2);
            assertTrue(own.isCancelled(), "the listener's stage is cancelled: " + own);
            CancellationException cancelled = assertThrows(CancellationException.class, own::join);
            assertEquals(CancellationException.class, cancelled.getClass());
            assertNull(cancelled.getMessage(), "the message CompletableFuture.cancel gives");
        }
    }

    /** Returns a future of its own class, whose {@code cancel} the listener relies on to let go of its source. */
    public static final class OwnFuture implements EventListener<String, ChannelEvent> {
        static final Map<String, Boolean> CANCEL_CALLED = new ConcurrentHashMap<>();
        static final Map<String, Boolean> POLLED = new ConcurrentHashMap<>();

        @Override
        public CompletionStage<ChannelEvent> pollForEvent(String key, EventContext context) {
            String workflow = context.workflowId();
            CompletableFuture<ChannelEvent> own = new CompletableFuture<ChannelEvent>() {
                @Override
                public boolean cancel(boolean mayInterruptIfRunning) {
                    CANCEL_CALLED.put(workflow, true);
                    return super.cancel(mayInterruptIfRunning);
                }
            };
            POLLED.put(workflow, true);
            return own;
        }

        @Override
        public CompletionStage<Void> eventCheckpointed(ChannelEvent event, EventContext context) {
            return CompletableFuture.completedFuture(null);
        }
    }

    @Test
    void aListenersOwnFutureClassIsCancelledThroughItsCancel(@TempDir Path dataDir) throws Exception {
        try (Hark hark = Hark.open(dataDir)) {
            hark.start(Dag.waitForEvent(OwnFuture.class, "k"), "own").started().get(30, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!OwnFuture.POLLED.containsKey("own") && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
        }
        assertEquals(Boolean.TRUE, OwnFuture.CANCEL_CALLED.get("own"), "its cancel() ran on close");
    }
}
