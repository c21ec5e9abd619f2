package dev.hark.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hark.api.Event;
import dev.hark.listeners.http.HttpEvent;
import dev.hark.listeners.http.HttpListener;
import dev.hark.listeners.timer.TimerEvent;
import dev.hark.runtime.event.Delivery;
import dev.hark.runtime.storage.TaskRecord;
import dev.hark.runtime.testing.Await;
import dev.hark.runtime.testing.ChannelEvent;
import dev.hark.runtime.testing.ChannelListener;
import dev.hark.runtime.testing.Channels;
import dev.hark.workflow.Dag;
import dev.hark.workflow.FirstOf;
import dev.hark.workflow.Node;
import dev.hark.workflow.WaitResult;
import dev.hark.workflow.internal.ValueCodec;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code Dag.firstOf} and waits with a timeout: one winner, and the losers consume nothing [R8.1, R8.2]. */
class FirstOfTest {

    @TempDir
    Path dataDir;

    @Test
    void ofTwoSourcesWithAnEventEachOnlyTheWinnerIsConsumedAndTheLosersEventGoesToTheNextWait() throws Exception {
        try (Hark hark = Hark.open(dataDir)) {
            for (int trial = 0; trial < 20; trial++) {
                String a = "a-" + UUID.randomUUID();
                String b = "b-" + UUID.randomUUID();
                ChannelEvent ea = Channels.channel(a).publish("from a");
                ChannelEvent eb = Channels.channel(b).publish("from b");

                FirstOf<ChannelEvent> won = hark.run(
                        Dag.firstOf(
                                Dag.waitForEvent(ChannelListener.class, a), Dag.waitForEvent(ChannelListener.class, b)),
                        "race-" + trial);

                ChannelEvent winner = won.index() == 0 ? ea : eb;
                ChannelEvent loser = won.index() == 0 ? eb : ea;
                assertEquals(winner, won.event(), "the output carries the winner's own event");
                assertRaceOutcome(winner, loser);
                ChannelEvent next = hark.run(Dag.waitForEvent(ChannelListener.class, loser.channel()), "next-" + trial);
                assertEquals(loser, next, "the loser's event went to the next wait on its source");
                assertEquals(1, Channels.channel(loser.channel()).count("commit " + loser.id()));
            }
        }
    }

    @Test
    void twoSourcesPublishingAtOnceIntoParkedWaitsDeliverOneEventAndKeepTheOther() throws Exception {
        try (Hark hark = Hark.open(dataDir)) {
            for (int trial = 0; trial < 20; trial++) {
                String a = "a-" + UUID.randomUUID();
                String b = "b-" + UUID.randomUUID();
                CompletableFuture<FirstOf<ChannelEvent>> race = hark.runAsync(
                        Dag.firstOf(
                                Dag.waitForEvent(ChannelListener.class, a), Dag.waitForEvent(ChannelListener.class, b)),
                        "parked-race-" + trial);
                Channels.channel(a).awaitPoll();
                Channels.channel(b).awaitPoll();
                CountDownLatch go = new CountDownLatch(1);
                CompletableFuture<ChannelEvent> ea = CompletableFuture.supplyAsync(() -> publishAfter(go, a));
                CompletableFuture<ChannelEvent> eb = CompletableFuture.supplyAsync(() -> publishAfter(go, b));
                go.countDown();
                FirstOf<ChannelEvent> won = race.get(30, TimeUnit.SECONDS);
                ChannelEvent winner = won.index() == 0 ? ea.get() : eb.get();
                ChannelEvent loser = won.index() == 0 ? eb.get() : ea.get();
                assertEquals(winner, won.event());
                assertRaceOutcome(winner, loser);
            }
        }
    }

    @Test
    void twoHttpKeysSentAtOnceOneSenderHears200AndTheOtherThatNothingWasRecorded() throws Exception {
        try (Hark hark = Hark.open(dataDir)) {
            for (int trial = 0; trial < 20; trial++) {
                String id = "http-race-" + trial;
                CompletableFuture<FirstOf<HttpEvent>> race = hark.runAsync(
                        Dag.firstOf(
                                Dag.waitForEvent(HttpListener.class, "paid"),
                                Dag.waitForEvent(HttpListener.class, "cancelled")),
                        id);
                Await.until(() -> hark.metrics().inboxWaits() == 2, () -> "both waits registered");
                CompletableFuture<Delivery> paid = hark.sendEvent(id, "paid", "p", "paid-" + trial);
                CompletableFuture<Delivery> cancelled = hark.sendEvent(id, "cancelled", "c", "cancelled-" + trial);
                FirstOf<HttpEvent> won = race.get(30, TimeUnit.SECONDS);
                Delivery winner = (won.index() == 0 ? paid : cancelled).get(30, TimeUnit.SECONDS);
                Delivery loser = (won.index() == 0 ? cancelled : paid).get(30, TimeUnit.SECONDS);
                assertInstanceOf(Delivery.Accepted.class, winner, "the winner's sender: " + winner);
                assertFalse(loser instanceof Delivery.Accepted, "the loser's sender must not hear 200: " + loser);
                assertEquals(won.index() == 0 ? "p" : "c", won.event().eventPayload());
                Await.until(() -> hark.metrics().inboxWaits() == 0, () -> "the loser's wait is gone");
            }
        }
    }

    @Test
    void aTimeoutCancelsTheWaitAndTheEventThatComesAfterTheDeadlineStaysForTheNextWait() throws Exception {
        String channel = "late-" + UUID.randomUUID();
        try (Hark hark = Hark.open(dataDir)) {
            WaitResult<ChannelEvent> result =
                    hark.run(Dag.waitForEvent(ChannelListener.class, channel, Duration.ofMillis(300)), "times-out");

            WaitResult.TimedOut<ChannelEvent> timedOut = assertInstanceOf(WaitResult.TimedOut.class, result);
            assertTrue(result.timedOut());
            assertEquals(List.of(), result.received().stream().toList());
            assertEquals(storedDeadline(hark, "times-out", "timeout_deadline"), timedOut.deadline());
            assertEquals(1, Channels.channel(channel).count("poll-cancelled"), "the listener's wait was cancelled");

            ChannelEvent late = Channels.channel(channel).publish("just after the deadline");
            assertEquals(late, hark.run(Dag.waitForEvent(ChannelListener.class, channel), "next"));
            assertEquals(1, Channels.channel(channel).count("commit"), "committed once, by the next wait");
            assertEquals(1, Channels.channel(channel).count("deliver"), "never delivered to the timed-out wait");
        }
    }

    @Test
    void anEventBeforeTheDeadlineIsReceivedAndTheTimerIsReleased() throws Exception {
        String channel = "early-" + UUID.randomUUID();
        ChannelEvent sent = Channels.channel(channel).publish("in time");
        try (Hark hark = Hark.open(dataDir)) {
            WaitResult<ChannelEvent> result =
                    hark.run(Dag.waitForEvent(ChannelListener.class, channel, Duration.ofHours(1)), "in-time");
            assertEquals(new WaitResult.Received<>(sent), result);
            assertEquals(0, hark.metrics().pendingTimers(), "the timeout's timer was cancelled with its race");
        }
    }

    @Test
    void downstreamTasksReadTheRaceOutputsAsTheirRealTypes() throws Exception {
        String channel = "typed-" + UUID.randomUUID();
        Channels.channel(channel).publish("payload");
        Instant past = Instant.now().minusSeconds(1);
        try (Hark hark = Hark.open(dataDir)) {
            Node<FirstOf<Event>> race =
                    Dag.firstOf(Dag.waitForEvent(ChannelListener.class, channel), Dag.sleep(Duration.ofHours(1)));
            assertEquals(
                    "channel event payload",
                    hark.run(Dag.task(FirstOfTest::describe).bind(race), "typed"));

            Node<WaitResult<ChannelEvent>> expired =
                    Dag.waitForEvent(ChannelListener.class, "never-" + UUID.randomUUID(), past);
            assertEquals(
                    "timed out at " + past,
                    hark.run(Dag.task(FirstOfTest::outcome).bind(expired), "deadline-passed"));
        }
    }

    @Test
    void aWaitThatRacesMayNotBeUsedElsewhereOrRaceTwice() {
        Node<ChannelEvent> wait = Dag.waitForEvent(ChannelListener.class, "x");
        Node<FirstOf<Event>> race = Dag.firstOf(wait, Dag.sleep(Duration.ofSeconds(1)));
        try (Hark hark = Hark.open(dataDir)) {
            IllegalArgumentException alsoBound = assertThrows(
                    IllegalArgumentException.class,
                    () -> hark.start(Dag.task(FirstOfTest::both).bind(race, wait), "bound-twice"));
            assertTrue(alsoBound.getMessage().contains("also used elsewhere"), alsoBound.getMessage());
            assertTrue(alsoBound.getMessage().contains("[R8.1]"), alsoBound.getMessage());

            Node<FirstOf<Event>> again = Dag.firstOf(wait, Dag.sleep(Duration.ofSeconds(2)));
            IllegalArgumentException twice = assertThrows(
                    IllegalArgumentException.class,
                    () -> hark.start(Dag.task(FirstOfTest::pair).bind(race, again), "raced-twice"));
            assertTrue(twice.getMessage().contains("races in two firstOf"), twice.getMessage());
            assertTrue(hark.list().isEmpty(), "nothing was created");
        }
        assertThrows(IllegalArgumentException.class, () -> Dag.firstOf(wait));
        assertThrows(IllegalArgumentException.class, () -> Dag.firstOf(wait, wait));
        @SuppressWarnings({"rawtypes", "unchecked"}) // the compiler refuses a task here; a raw node gets past it
        Node<ChannelEvent> notAWait = (Node) Dag.task(FirstOfTest::none).bind();
        assertThrows(IllegalArgumentException.class, () -> Dag.firstOf(wait, notAWait));
        assertThrows(
                IllegalArgumentException.class,
                () -> Dag.waitForEvent(ChannelListener.class, "x", Duration.ofSeconds(-1)));
    }

    @Test
    void aWorkflowMayHaveSeveralSleepsAndTimeouts() throws Exception {
        try (Hark hark = Hark.open(dataDir)) {
            Node<String> both = Dag.task(FirstOfTest::deadlines)
                    .bind(
                            Dag.waitForEvent(ChannelListener.class, "n-" + UUID.randomUUID(), Duration.ofMillis(50)),
                            Dag.waitForEvent(ChannelListener.class, "m-" + UUID.randomUUID(), Duration.ofMillis(60)),
                            Dag.sleep(Duration.ofMillis(10)),
                            Dag.sleep(Duration.ofMillis(20)));
            assertEquals("true true", hark.run(both, "many"));
            Set<String> ids =
                    hark.store().tasks("many").stream().map(TaskRecord::taskId).collect(Collectors.toSet());
            assertTrue(
                    ids.containsAll(Set.of(
                            "timeout_deadline",
                            "timeout_deadline_2",
                            "wait_result",
                            "wait_result_2",
                            "sleep",
                            "sleep_2",
                            "sleep_deadline",
                            "sleep_deadline_2")),
                    ids.toString());
        }
    }

    @Test
    void theTimeoutsDeadlineIsDurableAndARestartWaitsOnlyTheRest() throws Exception {
        String channel = "restart-" + UUID.randomUUID();
        Node<WaitResult<ChannelEvent>> timed = Dag.waitForEvent(ChannelListener.class, channel, Duration.ofMillis(800));
        Instant deadline;
        try (Hark hark = Hark.open(dataDir)) {
            hark.start(timed, "durable-deadline");
            Channels.channel(channel).awaitPoll();
            deadline = Await.value(
                            () -> stored(hark, "durable-deadline", "timeout_deadline"),
                            Optional::isPresent,
                            none -> "the timeout's deadline was never stored")
                    .orElseThrow();
        }
        try (Hark hark = Hark.open(dataDir)) {
            WaitResult<?> result = (WaitResult<?>) hark.resume("durable-deadline");
            assertEquals(new WaitResult.TimedOut<>(deadline), result, "the deadline fixed before the restart");
            assertEquals(0, Channels.channel(channel).count("commit"));
        }
    }

    static String describe(FirstOf<Event> race) {
        return race.eventAs(ChannelEvent.class)
                .map(e -> "channel event " + e.payload())
                .orElseGet(() -> "timer " + race.eventAs(TimerEvent.class).orElseThrow());
    }

    static String outcome(WaitResult<ChannelEvent> result) {
        if (result instanceof WaitResult.TimedOut<ChannelEvent> timedOut) {
            return "timed out at " + timedOut.deadline();
        }
        return "received " + result.received().orElseThrow().payload();
    }

    static String deadlines(
            WaitResult<ChannelEvent> a, WaitResult<ChannelEvent> b, TimerEvent first, TimerEvent second) {
        return a.timedOut() + " " + b.timedOut();
    }

    static String both(FirstOf<Event> race, ChannelEvent event) {
        return "unused";
    }

    static String pair(FirstOf<Event> one, FirstOf<Event> other) {
        return "unused";
    }

    static String none() {
        return "unused";
    }

    private static ChannelEvent publishAfter(CountDownLatch go, String channel) {
        try {
            go.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return Channels.channel(channel).publish("at once on " + channel);
    }

    private static void assertRaceOutcome(ChannelEvent winner, ChannelEvent loser) {
        Channels.Channel winning = Channels.channel(winner.channel());
        Channels.Channel losing = Channels.channel(loser.channel());
        assertEquals(1, winning.count("commit " + winner.id()), "winner committed once: " + winning.ledger());
        assertEquals(0, losing.count("commit"), "the loser committed nothing: " + losing.ledger());
        assertEquals(List.of(loser), losing.uncommitted(), "the loser's event stays at its source");
        assertFalse(losing.hasPendingPoll(), "the loser's wait was cancelled: " + losing.ledger());
    }

    private static Instant storedDeadline(Hark hark, String workflowId, String taskId) {
        return stored(hark, workflowId, taskId).orElseThrow(() -> new AssertionError(taskId + " not stored"));
    }

    private static Optional<Instant> stored(Hark hark, String workflowId, String taskId) {
        return hark.store().tasks(workflowId).stream()
                .filter(task -> task.taskId().equals(taskId))
                .findFirst()
                .map(record ->
                        Instant.parse(ValueCodec.rawValue(record.outputJson()).asString()));
    }
}
