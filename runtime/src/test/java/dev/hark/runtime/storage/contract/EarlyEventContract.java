package dev.hark.runtime.storage.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.hark.runtime.storage.EarlyEventOutcome;
import dev.hark.runtime.storage.EarlyEventRecord;
import dev.hark.runtime.storage.EventClaim;
import dev.hark.runtime.storage.EventClaimedException;
import dev.hark.runtime.storage.StoreWrite.CreateWorkflow;
import dev.hark.runtime.storage.StoreWrite.PutTask;
import dev.hark.runtime.storage.StoreWrite.SetStatus;
import dev.hark.runtime.storage.TaskState;
import dev.hark.runtime.storage.WorkflowStore;
import dev.hark.workflow.WorkflowStatus;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** The store's side of R9: buffered rows, their removal in the checkpoint's transaction, creation with an event. */
public abstract class EarlyEventContract extends StoreContract {

    private static EarlyEventRecord event(String workflow, String id, long expires) {
        return new EarlyEventRecord(workflow, "k", id, "\"" + id + "\"", 1, expires);
    }

    private static PutTask checkpoint(String workflow, EventClaim... claims) {
        return new PutTask(workflow, "wait", TaskState.CHECKPOINTED, "{}", List.of(claims));
    }

    private static List<String> ids(List<EarlyEventRecord> events) {
        return events.stream().map(EarlyEventRecord::eventId).toList();
    }

    @Test
    void anEventIsBufferedOnceOnlyForARunningWorkflowAndNotAfterItsIdWasRecorded() {
        try (WorkflowStore store = open()) {
            assertEquals(
                    EarlyEventOutcome.WORKFLOW_NOT_RUNNING,
                    store.bufferEarlyEvent(event("w1", "a", 10)).join());
            store.write(new CreateWorkflow("w1", "{}", 1)).join();
            assertEquals(
                    EarlyEventOutcome.BUFFERED,
                    store.bufferEarlyEvent(event("w1", "a", 10)).join());
            assertEquals(
                    EarlyEventOutcome.ALREADY_BUFFERED,
                    store.bufferEarlyEvent(event("w1", "a", 10)).join());
            assertEquals(
                    EarlyEventOutcome.BUFFERED,
                    store.bufferEarlyEvent(event("w1", "b", 10)).join());
            assertEquals(List.of("a", "b"), ids(store.earlyEvents()), "oldest first");

            store.write(checkpoint("w1", EventClaim.inbox("w1", "r"))).join();
            assertEquals(
                    EarlyEventOutcome.ALREADY_RECORDED,
                    store.bufferEarlyEvent(event("w1", "r", 10)).join());

            store.write(new SetStatus("w1", WorkflowStatus.SUCCESSFUL, null, null))
                    .join();
            assertEquals(
                    EarlyEventOutcome.WORKFLOW_NOT_RUNNING,
                    store.bufferEarlyEvent(event("w1", "c", 10)).join());
        }
    }

    @Test
    void theCheckpointThatClaimsABufferedIdRemovesItsRowInTheSameWrite() {
        try (WorkflowStore store = open()) {
            store.write(new CreateWorkflow("w1", "{}", 1)).join();
            store.bufferEarlyEvent(event("w1", "a", 10)).join();
            store.bufferEarlyEvent(event("w1", "b", 10)).join();

            store.write(checkpoint("w1", EventClaim.inbox("w1", "a"))).join();
            assertEquals(List.of("b"), ids(store.earlyEvents()), "the checkpointed one went with its checkpoint");

            // A refused checkpoint removes nothing: the event stays buffered for the next wait.
            store.write(checkpoint("w1", EventClaim.inbox("w1", "x"))).join();
            CompletionException refused = assertThrows(
                    CompletionException.class,
                    () -> store.write(new PutTask(
                                    "w1",
                                    "other",
                                    TaskState.CHECKPOINTED,
                                    "{}",
                                    List.of(EventClaim.inbox("w1", "b"), EventClaim.inbox("w1", "x"))))
                            .join());
            assertInstanceOf(EventClaimedException.class, refused.getCause());
            assertEquals(List.of("b"), ids(store.earlyEvents()));
            // Another workflow's claim of the same id leaves this workflow's row alone.
            store.write(new CreateWorkflow("w2", "{}", 1)).join();
            store.write(checkpoint("w2", EventClaim.inbox("w2", "b"))).join();
            assertEquals(List.of("b"), ids(store.earlyEvents()));
        }
    }

    @Test
    void creatingWithAnEventWritesBothOrNeither() {
        try (WorkflowStore store = open()) {
            assertEquals(
                    EarlyEventOutcome.CREATED,
                    store.createWithEarlyEvent(new CreateWorkflow("w1", "{}", 1), event("w1", "first", 10))
                            .join());
            assertEquals(
                    EarlyEventOutcome.WORKFLOW_EXISTS,
                    store.createWithEarlyEvent(new CreateWorkflow("w1", "{}", 1), event("w1", "second", 10))
                            .join());
            assertEquals(List.of("first"), ids(store.earlyEvents()));
            assertEquals(
                    WorkflowStatus.RUNNING, store.workflow("w1").orElseThrow().status());
        }
    }

    @Test
    void dropDeletesTheGivenExpiredEventsAndThoseOfEndedOrDeletedWorkflows() {
        try (WorkflowStore store = open()) {
            for (String w : List.of("running", "failed", "done", "gone")) {
                store.write(new CreateWorkflow(w, "{}", 1)).join();
                store.bufferEarlyEvent(event(w, w + "-1", 10)).join();
            }
            store.bufferEarlyEvent(event("running", "running-2", 10)).join();
            store.write(new SetStatus("failed", WorkflowStatus.FAILED, null, "boom"))
                    .join();
            store.write(new SetStatus("done", WorkflowStatus.SUCCESSFUL, null, null))
                    .join();
            store.write(new dev.hark.runtime.storage.StoreWrite.DeleteWorkflow("gone"))
                    .join();

            List<EarlyEventRecord> dropped = store.dropEarlyEvents(List.of(event("running", "running-1", 10)))
                    .join();
            assertEquals(List.of("running-1", "done-1", "gone-1"), ids(dropped));
            assertEquals(
                    List.of("failed-1", "running-2"),
                    ids(store.earlyEvents()).stream().sorted().toList());
        }
    }
}
