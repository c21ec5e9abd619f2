package dev.hark.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hark.runtime.storage.TaskState;
import dev.hark.runtime.testing.Await;
import dev.hark.runtime.testing.ChannelEvent;
import dev.hark.runtime.testing.ChannelListener;
import dev.hark.runtime.testing.Channels;
import dev.hark.runtime.testing.Tasks;
import dev.hark.workflow.Dag;
import dev.hark.workflow.Node;
import dev.hark.workflow.WorkflowCanceledException;
import dev.hark.workflow.WorkflowStatus;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventWaitTest {

    @TempDir
    Path dataDir;

    private static String channelName() {
        return "ch-" + UUID.randomUUID();
    }

    @Test
    void twoListenersPollConcurrentlyAndGatherGetsBothInArgumentOrder() throws Exception {
        String a = channelName();
        String b = channelName();
        try (Hark hark = Hark.open(dataDir)) {
            Node<ChannelEvent> first = Dag.waitForEvent(ChannelListener.class, a);
            Node<ChannelEvent> second = Dag.waitForEvent(ChannelListener.class, b);
            CompletableFuture<List<ChannelEvent>> out =
                    hark.runAsync(Dag.task(Tasks::gather).bind(first, second), "gather");

            Channels.channel(a).awaitPoll();
            Channels.channel(b).awaitPoll();
            assertTrue(
                    Channels.channel(a).hasPendingPoll() && Channels.channel(b).hasPendingPoll(),
                    "both polls must be pending before any event is released");

            ChannelEvent eventB = Channels.channel(b).publish("second");
            ChannelEvent eventA = Channels.channel(a).publish("first");

            assertEquals(List.of(eventA, eventB), out.get(30, TimeUnit.SECONDS));
            assertEquals(1, Channels.channel(a).count("commit"));
            assertEquals(1, Channels.channel(b).count("commit"));
            assertEquals(WorkflowStatus.SUCCESSFUL, hark.status("gather"));
        }
    }

    @Test
    void aSiblingTaskRunsAndFinishesWhileAnEventIsPending() throws Exception {
        String channel = channelName();
        try (Hark hark = Hark.open(dataDir)) {
            Node<String> sibling = Dag.task(Tasks::shout).named("sibling").bind(Dag.value("done early"));
            Node<String> described = Dag.task(Tasks::describe).bind(Dag.waitForEvent(ChannelListener.class, channel));
            CompletableFuture<String> out =
                    hark.runAsync(Dag.task(Tasks::concat).bind(sibling, described), "sibling");

            Channels.channel(channel).awaitPoll();
            waitForTask(hark, "sibling", "sibling");
            assertTrue(Channels.channel(channel).hasPendingPoll(), "the event is still pending");
            assertFalse(out.isDone());

            ChannelEvent event = Channels.channel(channel).publish("late");
            assertEquals("DONE EARLY+got " + event.id() + " carrying late", out.get(30, TimeUnit.SECONDS));
        }
    }

    @Test
    void anEventTaskCanBeTheWholeWorkflowAndItIsRunningWhileItWaits() throws Exception {
        String channel = channelName();
        try (Hark hark = Hark.open(dataDir)) {
            CompletableFuture<ChannelEvent> out =
                    hark.runAsync(Dag.waitForEvent(ChannelListener.class, channel), "just-an-event");
            Channels.channel(channel).awaitPoll();

            assertEquals(WorkflowStatus.RUNNING, hark.status("just-an-event"));
            assertEquals(
                    List.of("just-an-event"),
                    hark.list(WorkflowStatus.RUNNING).stream().map(w -> w.id()).toList());

            ChannelEvent event = Channels.channel(channel).publish("payload");
            assertEquals(event, out.get(30, TimeUnit.SECONDS));
            assertEquals(WorkflowStatus.SUCCESSFUL, hark.status("just-an-event"));
            assertEquals(event, hark.output("just-an-event"));
        }
    }

    @Test
    void theEventIsCheckpointedBeforeTheListenerCommitsIt() throws Exception {
        String channel = channelName();
        try (Hark hark = Hark.open(dataDir)) {
            CompletableFuture<ChannelEvent> out =
                    hark.runAsync(Dag.waitForEvent(ChannelListener.class, channel), "order");
            Channels.channel(channel).awaitPoll();
            ChannelEvent event = Channels.channel(channel).publish("x");
            out.get(30, TimeUnit.SECONDS);

            assertEquals(
                    List.of("poll", "publish " + event.id(), "deliver " + event.id(), "commit " + event.id()),
                    Channels.channel(channel).ledger());
            // The commit ended the workflow, so its final status records it (R5.5): no separate mark.
            assertEquals(WorkflowStatus.SUCCESSFUL, hark.status("order"));
            assertEquals(
                    TaskState.CHECKPOINTED, hark.store().tasks("order").get(0).state());
            assertTrue(Channels.channel(channel).uncommitted().isEmpty());
        }
    }

    @Test
    void aCancelledWaitCommitsNothingAndTheEventStaysAtItsSource() throws Exception {
        String channel = channelName();
        try (Hark hark = Hark.open(dataDir)) {
            CompletableFuture<ChannelEvent> out =
                    hark.runAsync(Dag.waitForEvent(ChannelListener.class, channel), "cancelled");
            Channels.channel(channel).awaitPoll();

            hark.cancel("cancelled");
            ChannelEvent event = Channels.channel(channel).publish("too late");

            assertThrows(WorkflowCanceledException.class, () -> out.get(30, TimeUnit.SECONDS));
            assertEquals(WorkflowStatus.CANCELED, hark.status("cancelled"));
            assertEquals(0, Channels.channel(channel).count("commit"));
            assertEquals(1, Channels.channel(channel).count("poll-cancelled"));
            assertEquals(List.of(event), Channels.channel(channel).uncommitted());
            assertTrue(hark.store().tasks("cancelled").isEmpty(), "nothing was checkpointed");
        }
    }

    @Test
    void severalWorkflowsOnOneChannelShareNothing() throws Exception {
        String left = channelName();
        String right = channelName();
        try (Hark hark = Hark.open(dataDir)) {
            CompletableFuture<ChannelEvent> l = hark.runAsync(Dag.waitForEvent(ChannelListener.class, left), "left");
            CompletableFuture<ChannelEvent> r = hark.runAsync(Dag.waitForEvent(ChannelListener.class, right), "right");
            Channels.channel(left).awaitPoll();
            Channels.channel(right).awaitPoll();
            ChannelEvent toRight = Channels.channel(right).publish("r");
            assertEquals(toRight, r.get(30, TimeUnit.SECONDS));
            assertFalse(l.isDone(), "left must not see right's event");
            ChannelEvent toLeft = Channels.channel(left).publish("l");
            assertEquals(toLeft, l.get(30, TimeUnit.SECONDS));
        }
    }

    static void waitForTask(Hark hark, String workflowId, String taskId) throws InterruptedException {
        Await.until(
                () -> hark.store().tasks(workflowId).stream()
                        .anyMatch(t -> t.taskId().equals(taskId)),
                () -> "task " + taskId + " of " + workflowId + " never checkpointed; stored: "
                        + hark.store().tasks(workflowId));
    }
}
