package dev.hark.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hark.runtime.storage.TaskRecord;
import dev.hark.runtime.storage.TaskState;
import dev.hark.runtime.testing.Await;
import dev.hark.runtime.testing.ChannelEvent;
import dev.hark.runtime.testing.ChannelListener;
import dev.hark.runtime.testing.Channels;
import dev.hark.runtime.workflow.OpenWait;
import dev.hark.workflow.Dag;
import dev.hark.workflow.FirstOf;
import dev.hark.workflow.Node;
import dev.hark.workflow.WaitResult;
import dev.hark.workflow.WorkflowFailedException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Dynamic tasks: a task returns the rest of the workflow, which is stored and run in its place [R8.4]. */
class ContinuationTest {

    /** How often each (channel, step) ran: a task that finished must never run again. */
    private static final Map<String, AtomicInteger> RUNS = new ConcurrentHashMap<>();

    @TempDir
    Path dataDir;

    /** Waits for the next payment on {@code channel} until {@code balance} is paid off. */
    static Node<String> collect(String channel, int balance, String paid) {
        if (balance <= 0) {
            return Dag.value(paid + "paid off");
        }
        return Dag.dynamic(ContinuationTest::apply)
                .bind(
                        Dag.value(channel),
                        Dag.value(balance),
                        Dag.value(paid),
                        Dag.waitForEvent(ChannelListener.class, channel));
    }

    static Node<String> apply(String channel, int balance, String paid, ChannelEvent payment) {
        RUNS.computeIfAbsent(channel + " " + payment.payload(), k -> new AtomicInteger())
                .incrementAndGet();
        return collect(channel, balance - Integer.parseInt(payment.payload()), paid + payment.payload() + " ");
    }

    @Test
    void aLoopOfContinuationsWaitsForPaymentsUntilTheBalanceIsPaid() throws Exception {
        String channel = "pay-" + UUID.randomUUID();
        for (String amount : List.of("40", "35", "25")) {
            Channels.channel(channel).publish(amount);
        }
        try (Hark hark = Hark.open(dataDir)) {
            Node<String> loop =
                    Dag.dynamic(ContinuationTest::collect).bind(Dag.value(channel), Dag.value(100), Dag.value(""));
            assertEquals("40 35 25 paid off", hark.runAsync(loop, "loop").get(60, TimeUnit.SECONDS));

            assertEquals(3, Channels.channel(channel).count("commit"), "each payment taken once");
            List<String> continued = hark.store().tasks("loop").stream()
                    .filter(task -> task.state() == TaskState.CONTINUED)
                    .map(TaskRecord::taskId)
                    .sorted()
                    .toList();
            assertEquals(List.of("c1.apply", "c2.apply", "c3.apply", "collect"), continued);
        }
    }

    @Test
    void aRestartInTheMiddleOfAChainRunsNothingThatFinishedAndResumesAtTheOpenWait() throws Exception {
        String channel = "chain-" + UUID.randomUUID();
        Channels.channel(channel).publish("30");
        Node<String> loop =
                Dag.dynamic(ContinuationTest::collect).bind(Dag.value(channel), Dag.value(50), Dag.value(""));
        try (Hark hark = Hark.open(dataDir)) {
            hark.start(loop, "chain");
            // the first payment is applied once its continuation's wait asks for the next one
            Await.until(
                    () -> Channels.channel(channel).count("poll") == 2,
                    () -> "the second wait never polled: "
                            + Channels.channel(channel).ledger());
            List<OpenWait> open = hark.openWaits("chain");
            assertEquals(1, open.size(), open.toString());
            assertEquals("c2.ChannelListener", open.get(0).taskId(), "the second payment's wait");
        }
        Channels.channel(channel).publish("20");
        try (Hark hark = Hark.open(dataDir)) {
            assertEquals("30 20 paid off", hark.resumeAsync("chain").get(60, TimeUnit.SECONDS));
        }
        assertEquals(1, RUNS.get(channel + " 30").get(), "the applied payment was not applied again");
        assertEquals(1, RUNS.get(channel + " 20").get());
        assertEquals(3, Channels.channel(channel).count("poll"), "one wait re-polled after the restart, no more");
        assertEquals(2, Channels.channel(channel).count("commit"));
    }

    static Node<String> raceOrGiveUp(String channel) {
        return Dag.task(ContinuationTest::describe)
                .bind(Dag.waitForEvent(ChannelListener.class, channel, Duration.ofMillis(200)));
    }

    static String describe(WaitResult<ChannelEvent> result) {
        return result.received().map(e -> "got " + e.payload()).orElse("gave up");
    }

    static Node<String> twice(String channel) {
        Node<ChannelEvent> wait = Dag.waitForEvent(ChannelListener.class, channel);
        Node<FirstOf<ChannelEvent>> race = Dag.firstOf(wait, Dag.waitForEvent(ChannelListener.class, channel + "-b"));
        return Dag.task(ContinuationTest::both).bind(race, wait);
    }

    static String both(FirstOf<ChannelEvent> race, ChannelEvent event) {
        return "unreachable";
    }

    @Test
    void aContinuationCanHoldARaceAndABrokenOneFailsTheWorkflowSaying() throws Exception {
        try (Hark hark = Hark.open(dataDir)) {
            String quiet = "quiet-" + UUID.randomUUID();
            assertEquals(
                    "gave up",
                    hark.run(Dag.dynamic(ContinuationTest::raceOrGiveUp).bind(Dag.value(quiet)), "timed"));

            CompletionException failed = assertThrows(
                    CompletionException.class,
                    () -> hark.runAsync(Dag.dynamic(ContinuationTest::twice).bind(Dag.value("x")), "broken")
                            .join());
            WorkflowFailedException cause = (WorkflowFailedException) failed.getCause();
            assertTrue(
                    cause.getMessage().contains("returned a workflow node that cannot be run")
                            && cause.getMessage().contains("[R8.1]"),
                    cause.getMessage());
        }
    }
}
