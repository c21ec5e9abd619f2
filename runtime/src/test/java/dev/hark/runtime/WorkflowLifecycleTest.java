package dev.hark.runtime;

import static dev.hark.runtime.DefinitionValidationTest.assertMentions;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hark.runtime.storage.WorkflowSummary;
import dev.hark.runtime.testing.Await;
import dev.hark.runtime.testing.ChannelEvent;
import dev.hark.runtime.testing.ChannelListener;
import dev.hark.runtime.testing.Channels;
import dev.hark.runtime.testing.Tasks;
import dev.hark.workflow.Dag;
import dev.hark.workflow.Node;
import dev.hark.workflow.UnknownWorkflowException;
import dev.hark.workflow.WorkflowExistsException;
import dev.hark.workflow.WorkflowFailedException;
import dev.hark.workflow.WorkflowStateException;
import dev.hark.workflow.WorkflowStatus;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class WorkflowLifecycleTest {

    @TempDir
    Path dataDir;

    static Stream<Arguments> invalidIds() {
        return Stream.of(
                Arguments.of("", "is empty"),
                Arguments.of("a/b", "path separator"),
                Arguments.of("a\\b", "path separator"),
                Arguments.of("..", "'..'"),
                Arguments.of("x/../y", "'..'"),
                Arguments.of("a".repeat(129), "129 characters long; the limit is 128"),
                Arguments.of("x".repeat(10_000), "10000 characters long"),
                Arguments.of("nul\u0000here", "control character U+0000"),
                Arguments.of("tab\there", "control character U+0009"),
                Arguments.of("spa ce", "contains ' '"),
                Arguments.of(null, "missing"));
    }

    @ParameterizedTest
    @MethodSource("invalidIds")
    void invalidWorkflowIdsAreRefusedWithAClearMessage(String id, String expected) {
        try (Hark hark = Hark.open(dataDir)) {
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> hark.run(Dag.value("v"), id));
            assertMentions(e, "workflow id", expected);
            assertThrows(IllegalArgumentException.class, () -> hark.status(id));
            assertTrue(hark.list().isEmpty(), "nothing was stored");
        }
    }

    @Test
    void aSecondWorkflowUnderAnExistingIdIsRefusedAndTheFirstIsUntouched() {
        try (Hark hark = Hark.open(dataDir)) {
            assertEquals("FIRST", hark.run(Dag.task(Tasks::shout).bind(Dag.value("first")), "taken"));

            WorkflowExistsException e = assertThrows(
                    WorkflowExistsException.class,
                    () -> hark.run(Dag.task(Tasks::shout).bind(Dag.value("second")), "taken"));
            assertMentions(e, "taken", "already exists", "resume");
            assertEquals("FIRST", hark.output("taken"));
            assertEquals("FIRST", hark.resume("taken"), "resume of a finished workflow returns its output");
        }
    }

    @Test
    void aSecondWorkflowUnderTheIdOfARunningOneIsRefused() throws Exception {
        String channel = "ch-" + UUID.randomUUID();
        try (Hark hark = Hark.open(dataDir)) {
            CompletableFuture<ChannelEvent> first =
                    hark.runAsync(Dag.waitForEvent(ChannelListener.class, channel), "busy");
            assertThrows(
                    WorkflowExistsException.class,
                    () -> hark.run(Dag.waitForEvent(ChannelListener.class, channel), "busy"));
            ChannelEvent event = Channels.channel(channel).publish("only one");
            assertEquals(event, first.get(30, TimeUnit.SECONDS));
            assertEquals(1, Channels.channel(channel).count("commit"));
        }
    }

    @Test
    void unknownIdsAreAClearErrorInStatusOutputCancelAndDelete() {
        try (Hark hark = Hark.open(dataDir)) {
            for (var call : List.<java.util.function.Consumer<String>>of(
                    hark::status, hark::output, hark::cancel, hark::delete, hark::resumeAsync)) {
                UnknownWorkflowException e = assertThrows(UnknownWorkflowException.class, () -> call.accept("nope"));
                assertMentions(e, "nope");
            }
        }
    }

    @Test
    void anOutputAskedForOnlyAfterTheWorkflowFinishedIsStillDelivered() throws Exception {
        try (Hark hark = Hark.open(dataDir)) {
            WorkflowHandle<String> handle = hark.start(Dag.task(Tasks::shout).bind(Dag.value("late")), "asked-late");
            handle.started().get(30, TimeUnit.SECONDS);
            awaitStatus(hark, "asked-late", WorkflowStatus.SUCCESSFUL);

            CompletableFuture<String> output = handle.output();
            assertEquals("LATE", output.get(30, TimeUnit.SECONDS));
            assertTrue(output == handle.output(), "the same future on every call");
        }
    }

    @Test
    void aFailureIsDeliveredToAnOutputAskedForLate() throws Exception {
        try (Hark hark = Hark.open(dataDir)) {
            WorkflowHandle<String> handle =
                    hark.start(Dag.task(Tasks::alwaysFail).bind(Dag.value("y")), "fails-late");
            handle.started().get(30, TimeUnit.SECONDS);
            awaitStatus(hark, "fails-late", WorkflowStatus.FAILED);
            ExecutionException e =
                    assertThrows(ExecutionException.class, () -> handle.output().get(30, TimeUnit.SECONDS));
            assertTrue(e.getCause() instanceof WorkflowFailedException, String.valueOf(e.getCause()));
        }
    }

    @Test
    void aTaskIsRetriedUpToItsRetryCount() {
        Tasks.FLAKY_CALLS.set(0);
        try (Hark hark = Hark.open(dataDir)) {
            String out = hark.run(Dag.task(Tasks::failUntilThirdCall).retries(2).bind(Dag.value("ok")), "flaky");
            assertEquals("ok", out);
            assertEquals(3, Tasks.FLAKY_CALLS.get());
        }
    }

    @Test
    void aTaskThatKeepsFailingFailsTheWorkflowWithItsError() {
        try (Hark hark = Hark.open(dataDir)) {
            WorkflowFailedException e = assertThrows(
                    WorkflowFailedException.class,
                    () -> hark.run(Dag.task(Tasks::alwaysFail).retries(1).bind(Dag.value("x")), "doomed"));
            assertMentions(e, "doomed", "alwaysFail", "boom: x", "after 2 attempts");
            assertEquals(WorkflowStatus.FAILED, hark.status("doomed"));
            WorkflowStateException noOutput = assertThrows(WorkflowStateException.class, () -> hark.output("doomed"));
            assertMentions(noOutput, "FAILED", "boom: x");
        }
    }

    @Test
    void resumingAFailedWorkflowRerunsOnlyWhatDidNotFinish() {
        Tasks.COUNTED_CALLS.set(0);
        Tasks.healed = false;
        try (Hark hark = Hark.open(dataDir)) {
            Node<String> counted = Dag.task(Tasks::counted).bind(Dag.value("step"));
            Node<String> fragile = Dag.task(Tasks::failUnlessHealed).bind(counted);
            assertThrows(WorkflowFailedException.class, () -> hark.run(fragile, "fragile"));

            Tasks.healed = true;
            assertEquals("step healed", hark.resume("fragile"));
            assertEquals(1, Tasks.COUNTED_CALLS.get(), "the finished task was not run again");
            assertEquals(WorkflowStatus.SUCCESSFUL, hark.status("fragile"));
        } finally {
            Tasks.healed = false;
        }
    }

    @Test
    void listFiltersByStatusAndCancelAndDeleteDoWhatTheySay() throws Exception {
        String channel = "ch-" + UUID.randomUUID();
        try (Hark hark = Hark.open(dataDir)) {
            hark.run(Dag.value("v"), "done");
            hark.runAsync(Dag.waitForEvent(ChannelListener.class, channel), "waiting");
            Channels.channel(channel).awaitPoll();

            assertEquals(
                    List.of(
                            new WorkflowSummary("done", WorkflowStatus.SUCCESSFUL),
                            new WorkflowSummary("waiting", WorkflowStatus.RUNNING)),
                    hark.list());
            assertEquals(
                    List.of(new WorkflowSummary("done", WorkflowStatus.SUCCESSFUL)),
                    hark.list(WorkflowStatus.SUCCESSFUL));

            hark.cancel("waiting");
            assertEquals(WorkflowStatus.CANCELED, hark.status("waiting"));
            hark.cancel("waiting");
            assertThrows(WorkflowStateException.class, () -> hark.cancel("done"));
            assertThrows(WorkflowStateException.class, () -> hark.resume("waiting"));

            hark.delete("waiting");
            assertThrows(UnknownWorkflowException.class, () -> hark.status("waiting"));
            assertEquals(List.of(new WorkflowSummary("done", WorkflowStatus.SUCCESSFUL)), hark.list());
        }
    }

    @Test
    void aWorkflowStoppedWithItsRuntimeIsResumableInTheNextRuntimeAndPollsAgain() throws Exception {
        String channel = "ch-" + UUID.randomUUID();
        try (Hark hark = Hark.open(dataDir)) {
            hark.runAsync(Dag.task(Tasks::describe).bind(Dag.waitForEvent(ChannelListener.class, channel)), "carry-on");
            Channels.channel(channel).awaitPoll();
        }
        assertEquals(1, Channels.channel(channel).count("poll-cancelled"), "closing released the pending poll");
        try (Hark hark = Hark.open(dataDir)) {
            assertEquals(WorkflowStatus.RESUMABLE, hark.status("carry-on"));
            assertEquals(List.of("carry-on"), List.copyOf(hark.resumeAll().keySet()));
            assertEquals(WorkflowStatus.RUNNING, hark.status("carry-on"));
            ChannelEvent event = Channels.channel(channel).publish("after restart");
            assertEquals("got " + event.id() + " carrying after restart", hark.output("carry-on"));
            assertEquals(2, Channels.channel(channel).count("poll"));
            assertEquals(1, Channels.channel(channel).count("commit"));
        }
    }

    @Test
    void aSecondRuntimeOnTheSameDataFolderIsRefused() {
        try (Hark hark = Hark.open(dataDir)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> Hark.open(dataDir));
            assertMentions(e, "in use by another Hark runtime");
        }
        Hark.open(dataDir).close();
    }

    /** Waits (up to 30 s) until the stored status of {@code workflowId} is {@code expected}. */
    private static void awaitStatus(Hark hark, String workflowId, WorkflowStatus expected) throws InterruptedException {
        Await.until(
                () -> hark.status(workflowId) == expected,
                () -> workflowId + " is " + hark.status(workflowId) + ", not " + expected);
    }
}
