package dev.hark.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hark.runtime.testing.ChannelEvent;
import dev.hark.runtime.testing.Channels;
import dev.hark.runtime.testing.ErrorThrowingListeners;
import dev.hark.runtime.testing.Tasks;
import dev.hark.workflow.Dag;
import dev.hark.workflow.WorkflowFailedException;
import dev.hark.workflow.WorkflowStatus;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Errors thrown by user code, and deletes racing running tasks. */
class ErrorsAndDeletesTest {

    @TempDir
    Path dataDir;

    @Test
    void anErrorThrownByATaskFailsTheWorkflowWithItAndTheWorkersLiveOn() throws Exception {
        try (Hark hark = Hark.builder().dataDir(dataDir).workerThreads(1).open()) {
            CompletableFuture<String> failing =
                    hark.runAsync(Dag.task(Tasks::assertionFails).bind(Dag.value("x")), "asserting");
            ExecutionException e = assertThrows(ExecutionException.class, () -> failing.get(30, TimeUnit.SECONDS));
            assertInstanceOf(WorkflowFailedException.class, e.getCause());
            assertInstanceOf(AssertionError.class, e.getCause().getCause());
            assertEquals(WorkflowStatus.FAILED, hark.status("asserting"));
            assertTrue(hark.store().workflow("asserting").orElseThrow().error().contains("task code asserted"));
            // one worker thread: had the Error killed it, nothing would run now
            assertEquals("FINE", hark.run(Dag.task(Tasks::shout).bind(Dag.value("fine")), "after"));
        }
    }

    @Test
    void anErrorThrownByPollOrCommitFailsOnlyThatAttempt() throws Exception {
        String pollChannel = "ch-" + UUID.randomUUID();
        String commitChannel = "ch-" + UUID.randomUUID();
        ErrorThrowingListeners.POLLS.set(0);
        ErrorThrowingListeners.COMMITS.set(0);
        Channels.channel(pollChannel).publish("p");
        Channels.channel(commitChannel).publish("c");
        try (Hark hark = Hark.open(dataDir)) {
            ChannelEvent polled =
                    hark.run(Dag.waitForEvent(ErrorThrowingListeners.FirstPollThrows.class, pollChannel), "poll-error");
            assertEquals("p", polled.payload());
            assertEquals(2, ErrorThrowingListeners.POLLS.get(), "polled again after the Error");

            ChannelEvent committed = hark.run(
                    Dag.waitForEvent(ErrorThrowingListeners.FirstCommitThrows.class, commitChannel), "commit-error");
            assertEquals("c", committed.payload());
            assertEquals(2, ErrorThrowingListeners.COMMITS.get(), "committed again after the Error");
            assertEquals(List.of(), Channels.channel(commitChannel).uncommitted());
        }
    }

    @Test
    void aTaskFinishingAfterItsWorkflowWasDeletedLeavesNoRowForANewWorkflowWithTheSameId() throws Exception {
        Tasks.gate = new CountDownLatch(1);
        Tasks.GATED_STARTED.drainPermits();
        try (Hark hark = Hark.open(dataDir)) {
            hark.runAsync(Dag.task(Tasks::gated).bind(Dag.value("old")), "reused");
            assertTrue(Tasks.GATED_STARTED.tryAcquire(30, TimeUnit.SECONDS), "the task runs");
            hark.delete("reused");
            Tasks.gate.countDown(); // the deleted run's task finishes now
            Tasks.COUNTED_CALLS.set(0);
            assertEquals("new", hark.run(Dag.task(Tasks::counted).bind(Dag.value("new")), "reused"));
            assertEquals(1, Tasks.COUNTED_CALLS.get());
            Thread.sleep(200); // give a stray write of the old task every chance to land
            assertEquals(
                    1,
                    hark.store().tasks("reused").size(),
                    "only the new workflow's task row: " + hark.store().tasks("reused"));
        }
        try (Hark hark = Hark.open(dataDir)) {
            assertEquals("new", hark.output("reused"));
        }
    }
}
