package dev.hark.runtime.storage.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hark.runtime.storage.ClaimRecord;
import dev.hark.runtime.storage.EventClaim;
import dev.hark.runtime.storage.EventClaimedException;
import dev.hark.runtime.storage.RaceDecidedException;
import dev.hark.runtime.storage.StoreWrite.CreateWorkflow;
import dev.hark.runtime.storage.StoreWrite.Decision;
import dev.hark.runtime.storage.StoreWrite.MarkCommitted;
import dev.hark.runtime.storage.StoreWrite.PutTask;
import dev.hark.runtime.storage.StoreWrite.SetStatus;
import dev.hark.runtime.storage.TaskRecord;
import dev.hark.runtime.storage.TaskState;
import dev.hark.runtime.storage.WorkflowStore;
import dev.hark.workflow.UnknownWorkflowException;
import dev.hark.workflow.WorkflowStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The store's side of R7.1, R7.2 and R8.1: claims and race decisions written with checkpoints, refused atomically, swept. */
public abstract class EventClaimContract extends StoreContract {

    private static final EventClaim ORDER_7 = new EventClaim("com.acme.QueueListener", "orders#7");

    private static PutTask checkpoint(String workflow, String task, EventClaim... claims) {
        return new PutTask(workflow, task, TaskState.CHECKPOINTED, "{\"event\":\"" + task + "\"}", List.of(claims));
    }

    @Test
    void aSecondCheckpointOfAClaimedOccurrenceIsRefusedAndWritesNothing() {
        try (WorkflowStore store = open()) {
            store.write(new CreateWorkflow("w1", "{}", 1)).join();
            store.write(new CreateWorkflow("w2", "{}", 1)).join();
            store.write(checkpoint("w1", "wait", ORDER_7)).join();

            Throwable refused = failureOf(store.write(checkpoint("w2", "wait", ORDER_7)));
            EventClaimedException claimed = assertInstanceOf(EventClaimedException.class, refused);
            assertEquals("w1", claimed.holder().workflowId());
            assertEquals("wait", claimed.holder().taskId());
            assertTrue(
                    claimed.getMessage().contains("orders#7")
                            && claimed.getMessage().contains("[R7.1]"),
                    claimed.getMessage());
            assertEquals(List.of(), store.tasks("w2"), "the refused checkpoint left no task row");
            assertEquals("w1", store.claim(ORDER_7).orElseThrow().workflowId(), "the first claim stands");
        }
    }

    @Test
    void twoCheckpointsOfOneOccurrenceInOneBatchRecordOnlyTheFirst() throws Exception {
        try (WorkflowStore store = open()) {
            store.write(new CreateWorkflow("w1", "{}", 1)).join();
            store.write(new CreateWorkflow("w2", "{}", 1)).join();
            CompletableFuture<Void> first;
            CompletableFuture<Void> second;
            CompletableFuture<Void> after;
            try (AutoCloseable pause = pauseWriter(store)) {
                first = store.write(checkpoint("w1", "wait", ORDER_7));
                second = store.write(checkpoint("w2", "wait", ORDER_7));
                after = store.write(new PutTask("w2", "other", TaskState.DONE, "1"));
            }
            first.join();
            assertInstanceOf(EventClaimedException.class, failureOf(second));
            after.join();
            assertEquals(List.of(new TaskRecord("other", TaskState.DONE, "1")), store.tasks("w2"));
            assertEquals("w1", store.claim(ORDER_7).orElseThrow().workflowId());
        }
    }

    @Test
    void aCheckpointWithSeveralClaimsIsAllOrNothing() {
        EventClaim key = EventClaim.inbox("w2", "idem-1");
        try (WorkflowStore store = open()) {
            store.write(new CreateWorkflow("w1", "{}", 1)).join();
            store.write(new CreateWorkflow("w2", "{}", 1)).join();
            store.write(checkpoint("w1", "wait", ORDER_7)).join();

            assertInstanceOf(
                    EventClaimedException.class, failureOf(store.write(checkpoint("w2", "wait", key, ORDER_7))));
            assertEquals(Optional.empty(), store.claim(key), "the free claim was not recorded either");
            store.write(checkpoint("w2", "wait", key)).join();
            assertEquals("w2", store.claim(key).orElseThrow().workflowId());
        }
    }

    @Test
    void aRaceIsDecidedOnceAndTheLosingCheckpointWritesNothing() {
        try (WorkflowStore store = open()) {
            store.write(new CreateWorkflow("w", "{}", 1)).join();
            store.write(new PutTask(
                            "w",
                            "a",
                            TaskState.CHECKPOINTED,
                            "\"a\"",
                            List.of(new EventClaim("src", "ea")),
                            new Decision("race", "\"won by a\"")))
                    .join();
            Throwable lost = failureOf(store.write(new PutTask(
                    "w",
                    "b",
                    TaskState.CHECKPOINTED,
                    "\"b\"",
                    List.of(new EventClaim("src", "eb")),
                    new Decision("race", "\"won by b\""))));
            assertInstanceOf(RaceDecidedException.class, lost);
            assertEquals(Optional.empty(), store.claim(new EventClaim("src", "eb")), "the loser's claim is not kept");
            assertEquals(
                    List.of(
                            new TaskRecord("a", TaskState.CHECKPOINTED, "\"a\""),
                            new TaskRecord("race", TaskState.DONE, "\"won by a\"")),
                    sorted(store.tasks("w")));

            // A decision whose own claim is taken leaves no decision behind.
            store.write(new CreateWorkflow("v", "{}", 1)).join();
            assertInstanceOf(
                    EventClaimedException.class,
                    failureOf(store.write(new PutTask(
                            "v",
                            "a",
                            TaskState.CHECKPOINTED,
                            "\"a\"",
                            List.of(new EventClaim("src", "ea")),
                            new Decision("race", "\"v\"")))));
            assertEquals(List.of(), store.tasks("v"));
        }
    }

    @Test
    void noTaskRowOrClaimIsWrittenForAMissingWorkflow() {
        try (WorkflowStore store = open()) {
            assertInstanceOf(
                    UnknownWorkflowException.class,
                    failureOf(store.write(new PutTask("gone", "t", TaskState.DONE, "1"))));
            assertInstanceOf(
                    UnknownWorkflowException.class, failureOf(store.write(checkpoint("gone", "wait", ORDER_7))));
            assertEquals(List.of(), store.tasks("gone"));
            assertEquals(Optional.empty(), store.claim(ORDER_7));
        }
    }

    @Test
    void claimsSurviveAReopen() {
        try (WorkflowStore store = open()) {
            store.write(new CreateWorkflow("w1", "{}", 1)).join();
            store.write(checkpoint("w1", "wait", ORDER_7)).join();
        }
        try (WorkflowStore store = open()) {
            store.write(new CreateWorkflow("w2", "{}", 1)).join();
            assertInstanceOf(EventClaimedException.class, failureOf(store.write(checkpoint("w2", "wait", ORDER_7))));
        }
    }

    @Test
    void theSweepDeletesOldCommittedClaimsInChunksAndKeepsUncommittedAndYoungOnes() {
        int committed = fixture().sweepChunk() * 2 + 500; // several chunks
        try (WorkflowStore store = open()) {
            store.write(new CreateWorkflow("w", "{}", 1)).join();
            List<CompletableFuture<Void>> writes = new ArrayList<>();
            for (int i = 0; i < committed; i++) {
                writes.add(store.write(checkpoint("w", "t" + i, new EventClaim("src", "e" + i))));
                writes.add(store.write(new MarkCommitted("w", "t" + i)));
            }
            writes.add(store.write(checkpoint("w", "stuck", new EventClaim("src", "uncommitted"))));
            writes.forEach(CompletableFuture::join);

            assertEquals(0, store.sweepClaims(0).join(), "nothing is older than the epoch");
            assertTrue(store.claim(new EventClaim("src", "e0")).isPresent());

            long future = System.currentTimeMillis() + 60_000;
            assertEquals(committed, store.sweepClaims(future).join());
            assertEquals(Optional.empty(), store.claim(new EventClaim("src", "e0")));
            assertEquals(Optional.empty(), store.claim(new EventClaim("src", "e" + (committed - 1))));
            ClaimRecord stuck =
                    store.claim(new EventClaim("src", "uncommitted")).orElseThrow();
            assertEquals("stuck", stuck.taskId(), "a claim whose commit is not recorded is kept, however old");
            assertEquals(
                    new TaskRecord("stuck", TaskState.CHECKPOINTED, "{\"event\":\"stuck\"}"),
                    store.tasks("w").stream()
                            .filter(t -> t.taskId().equals("stuck"))
                            .findFirst()
                            .orElseThrow());

            // Once the workflow succeeded, its final status recorded every commit [R5.5].
            store.write(new SetStatus("w", WorkflowStatus.SUCCESSFUL, "1", null))
                    .join();
            assertEquals(1, store.sweepClaims(future).join());
            assertEquals(Optional.empty(), store.claim(new EventClaim("src", "uncommitted")));
        }
    }
}
