package dev.hark.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hark.api.EventContext;
import dev.hark.api.EventListener;
import dev.hark.api.InboxMessage;
import dev.hark.listeners.http.HttpEvent;
import dev.hark.listeners.timer.TimerEvent;
import dev.hark.listeners.timer.TimerListener;
import dev.hark.runtime.event.Delivery;
import dev.hark.runtime.storage.ClaimRecord;
import dev.hark.runtime.storage.ClaimRetention;
import dev.hark.runtime.storage.EventClaim;
import dev.hark.runtime.storage.sqlite.SqliteWorkflowStore;
import dev.hark.runtime.testing.Await;
import dev.hark.runtime.testing.ChannelEvent;
import dev.hark.runtime.testing.ChannelListener;
import dev.hark.runtime.testing.Channels;
import dev.hark.runtime.testing.GateStore;
import dev.hark.runtime.testing.StickyListener;
import dev.hark.workflow.Dag;
import dev.hark.workflow.WorkflowStatus;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Exactly once per event, not per wait: the durable claims [R7.1]. */
class EventClaimsTest {

    @TempDir
    Path dataDir;

    @Test
    void competingWaitsOnOneChannelTakeEachEventExactlyOnce() throws Exception {
        String channel = "ch-" + UUID.randomUUID();
        int waits = 20;
        List<String> published = new ArrayList<>();
        for (int i = 0; i < 5; i++) { // some before the waits start, the rest while they wait
            published.add(Channels.channel(channel).publish("early-" + i).id());
        }
        try (Hark hark = Hark.open(dataDir)) {
            List<CompletableFuture<ChannelEvent>> outputs = new ArrayList<>();
            for (int w = 0; w < waits; w++) {
                outputs.add(hark.runAsync(Dag.waitForEvent(ChannelListener.class, channel), "competing-" + w));
            }
            for (int i = 5; i < waits; i++) {
                published.add(Channels.channel(channel).publish("late-" + i).id());
            }
            Map<String, List<String>> receivers = new TreeMap<>();
            for (int w = 0; w < waits; w++) {
                ChannelEvent event = outputs.get(w).get(60, TimeUnit.SECONDS);
                receivers.computeIfAbsent(event.id(), id -> new ArrayList<>()).add("competing-" + w);
            }
            assertEquals(
                    published.stream().sorted().toList(),
                    List.copyOf(receivers.keySet()),
                    "every published event reaches one workflow: " + receivers);
            receivers.forEach((id, workflows) -> assertEquals(1, workflows.size(), id + " reached " + workflows));
            for (String id : published) {
                assertEquals(1, Channels.channel(channel).count("commit " + id), "committed once: " + id);
                Optional<ClaimRecord> claim = hark.store().claim(new EventClaim(ChannelListener.class.getName(), id));
                assertEquals(receivers.get(id).get(0), claim.orElseThrow().workflowId(), "the claim names its taker");
            }
        }
    }

    @Test
    void aClaimOutlivesItsWorkflowAndARestartAndTheRefusedWaitTakesTheNextOccurrence() throws Exception {
        String source = "sticky-" + UUID.randomUUID();
        StickyListener.offer(source, "1");
        try (Hark hark = Hark.open(dataDir)) {
            assertEquals(
                    1,
                    hark.run(Dag.waitForEvent(StickyListener.class, source), "first")
                            .sequence());
        }
        try (Hark hark = Hark.open(dataDir)) {
            int pollsBefore = StickyListener.polls(source);
            CompletableFuture<ChannelEvent> second =
                    hark.runAsync(Dag.waitForEvent(StickyListener.class, source), "second");
            // The source offers occurrence 1 again: refused, polled again after a back-off, refused again.
            Await.until(() -> StickyListener.polls(source) >= pollsBefore + 3, () -> "the refused wait polls again");
            assertFalse(second.isDone(), "occurrence 1 belongs to workflow 'first'");
            assertTrue(hark.store().tasks("second").isEmpty(), "a refused checkpoint writes nothing");

            StickyListener.offer(source, "2");
            assertEquals(2, second.get(30, TimeUnit.SECONDS).sequence());
            assertEquals(
                    "first",
                    hark.store()
                            .claim(new EventClaim(StickyListener.class.getName(), source + "#1"))
                            .orElseThrow()
                            .workflowId());
        }
    }

    @Test
    void theRuntimeSweepsCommittedClaimsPastTheRetentionAndKeepsThemForever() throws Exception {
        String channel = "ch-" + UUID.randomUUID();
        String first = Channels.channel(channel).publish("a").id();
        String second = Channels.channel(channel).publish("b").id();
        EventClaim firstClaim = new EventClaim(ChannelListener.class.getName(), first);
        try (Hark hark = Hark.builder()
                .dataDir(dataDir)
                .claimRetention(ClaimRetention.forever())
                .open()) {
            hark.run(Dag.waitForEvent(ChannelListener.class, channel), "kept");
            assertEquals(0, hark.sweepClaims().get(30, TimeUnit.SECONDS));
            assertTrue(hark.store().claim(firstClaim).isPresent(), "kept forever");
        }
        try (Hark hark = Hark.builder()
                .dataDir(dataDir)
                .claimRetention(ClaimRetention.keep(java.time.Duration.ofMillis(1)))
                .open()) {
            hark.run(Dag.waitForEvent(ChannelListener.class, channel), "swept");
            Thread.sleep(5); // both claims are now older than the retention
            assertEquals(2, hark.sweepClaims().get(30, TimeUnit.SECONDS));
            assertEquals(Optional.empty(), hark.store().claim(firstClaim));
            assertEquals(Optional.empty(), hark.store().claim(new EventClaim(ChannelListener.class.getName(), second)));
        }
    }

    @Test
    void workflowsSleepingUntilTheSameInstantAllFireAndTimersClaimNothing() throws Exception {
        Instant deadline = Instant.now().plusMillis(200);
        try (Hark hark = Hark.open(dataDir)) {
            List<CompletableFuture<TimerEvent>> fired = new ArrayList<>();
            for (int w = 0; w < 5; w++) {
                fired.add(hark.runAsync(Dag.waitForEvent(TimerListener.class, deadline), "sleeper-" + w));
            }
            for (CompletableFuture<TimerEvent> f : fired) {
                assertEquals(deadline, f.get(30, TimeUnit.SECONDS).deadline());
            }
            assertEquals(
                    Optional.empty(),
                    hark.store().claim(new EventClaim(TimerListener.class.getName(), new TimerEvent(deadline).id())),
                    "an @UnsharedSource listener's events are not claimed");
        }
    }

    /** Waits for whichever of two inbox keys is sent first, with a one-hour timer beside them. */
    public static final class EitherKeyListener implements EventListener<List<String>, HttpEvent> {
        @Override
        public CompletionStage<HttpEvent> pollForEvent(List<String> keys, EventContext context) {
            CompletionStage<InboxMessage> timeout = context.timerAt(
                            context.clock().instant().plusSeconds(3600))
                    .thenApply(t -> new InboxMessage("timeout", "timeout", null));
            return context.inbox(keys.get(0))
                    .applyToEither(context.inbox(keys.get(1)), m -> m)
                    .applyToEither(timeout, m -> new HttpEvent(m.key(), m.payload(), m.id()));
        }
    }

    @Test
    void onlyTheSenderWhoseMessageWasCheckpointedHearsAcceptedAndTheWaitReleasesTheRest() throws Exception {
        GateStore[] gate = new GateStore[1];
        try (Hark hark = Hark.builder()
                .dataDir(dataDir)
                .store(dir -> gate[0] = new GateStore(SqliteWorkflowStore.open(dir)))
                .open()) {
            CompletableFuture<HttpEvent> output =
                    hark.runAsync(Dag.waitForEvent(EitherKeyListener.class, List.of("a", "b")), "either");
            Await.until(() -> hark.metrics().inboxWaits() == 2, () -> "both keys registered");

            CompletableFuture<Delivery> first = hark.sendEvent("either", "a", "from a");
            gate[0].awaitHeld(1); // a's checkpoint is in flight; b is still subscribed
            CompletableFuture<Delivery> second = hark.sendEvent("either", "b", "from b");
            assertFalse(second.isDone(), "b's message reached the wait while a's checkpoint is in flight");
            gate[0].open();

            assertInstanceOf(Delivery.Accepted.class, first.get(30, TimeUnit.SECONDS));
            Delivery refused = second.get(30, TimeUnit.SECONDS);
            assertInstanceOf(Delivery.NotWaiting.class, refused, "b was not recorded: " + refused);
            assertEquals("from a", output.get(30, TimeUnit.SECONDS).eventPayload());
            assertEquals(WorkflowStatus.SUCCESSFUL, hark.status("either"));
            Await.until(
                    () -> hark.metrics().inboxWaits() == 0 && hark.metrics().pendingTimers() == 0,
                    () -> "the wait released its other inbox key and its timer: " + hark.metrics());
        }
    }

    @Test
    void aWorkflowCancelledWhileItsCheckpointIsInFlightKeepsTheEventAndTellsTheSenderTheTruth() throws Exception {
        GateStore[] gate = new GateStore[1];
        try (Hark hark = Hark.builder()
                .dataDir(dataDir)
                .store(dir -> gate[0] = new GateStore(SqliteWorkflowStore.open(dir)))
                .open()) {
            hark.runAsync(Dag.waitForEvent(dev.hark.listeners.http.HttpListener.class, "k"), "racing");
            Await.until(() -> hark.metrics().inboxWaits() == 1, () -> "the wait is registered");
            CompletableFuture<Delivery> sent = hark.sendEvent("racing", "k", "payload");
            gate[0].awaitHeld(1);
            CompletableFuture<Void> cancelled = CompletableFuture.runAsync(() -> hark.cancel("racing"));
            Await.until(() -> hark.status("racing") == WorkflowStatus.CANCELED, () -> "cancel is under way");
            gate[0].open();
            cancelled.get(30, TimeUnit.SECONDS);

            Delivery delivery = sent.get(30, TimeUnit.SECONDS);
            assertInstanceOf(Delivery.Accepted.class, delivery, "the checkpoint was queued first, so it is recorded");
            assertEquals(
                    1,
                    hark.store().tasks("racing").size(),
                    "the event is recorded: " + hark.store().tasks("racing"));
            assertEquals(
                    WorkflowStatus.CANCELED,
                    hark.store().workflow("racing").orElseThrow().status());
        }
    }
}
