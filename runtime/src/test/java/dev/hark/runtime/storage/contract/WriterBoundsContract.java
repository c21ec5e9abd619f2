package dev.hark.runtime.storage.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hark.runtime.storage.StoreBusyException;
import dev.hark.runtime.storage.StoreHealth;
import dev.hark.runtime.storage.StoreWrite.CreateWorkflow;
import dev.hark.runtime.storage.StoreWrite.MarkCommitted;
import dev.hark.runtime.storage.StoreWrite.PutTask;
import dev.hark.runtime.storage.StoreWrite.SetStatus;
import dev.hark.runtime.storage.TaskState;
import dev.hark.runtime.storage.WorkflowStore;
import dev.hark.workflow.WorkflowStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** The writer's bounds: a bounded queue that pushes back, and writability for readiness. */
public abstract class WriterBoundsContract extends StoreContract {

    @Test
    void aFullQueueRefusesAtOnceWithStoreBusyAndTakesWritesAgainOnceDrained() throws Exception {
        try (WorkflowStore store = open(100, 3)) {
            List<CompletableFuture<Void>> queued = new ArrayList<>();
            try (AutoCloseable pause = pauseWriter(store)) {
                for (int i = 0; i < 3; i++) {
                    queued.add(store.write(new CreateWorkflow("w-" + i, "{}", 1)));
                }
                CompletableFuture<Void> refused = store.write(new CreateWorkflow("w-3", "{}", 1));
                assertTrue(refused.isDone(), "refused at once, not queued");
                CompletionException e = assertThrows(CompletionException.class, refused::join);
                StoreBusyException busy = assertInstanceOf(StoreBusyException.class, e.getCause());
                assertTrue(busy.getMessage().contains("3"), busy.getMessage());
            }
            queued.forEach(CompletableFuture::join);
            store.write(new CreateWorkflow("w-3", "{}", 1)).join();
            assertEquals(4, store.list(Optional.empty()).size());
        }
    }

    @Test
    void aFullQueueStillTakesWritesThatFinishAdmittedWork() throws Exception {
        try (WorkflowStore store = open(100, 2)) {
            store.write(new CreateWorkflow("admitted", "{}", 1)).join();
            List<CompletableFuture<Void>> queued = new ArrayList<>();
            try (AutoCloseable pause = pauseWriter(store)) {
                queued.add(store.write(new CreateWorkflow("w-0", "{}", 1)));
                queued.add(store.write(new CreateWorkflow("w-1", "{}", 1)));
                CompletableFuture<Void> checkpoint =
                        store.write(new PutTask("admitted", "event", TaskState.CHECKPOINTED, "{}"));
                assertInstanceOf(
                        StoreBusyException.class,
                        assertThrows(CompletionException.class, checkpoint::join)
                                .getCause(),
                        "an event's checkpoint admits work: refused");
                queued.add(store.write(new PutTask("admitted", "task", TaskState.DONE, "{}")));
                queued.add(store.write(new MarkCommitted("admitted", "task")));
                queued.add(store.write(new SetStatus("admitted", WorkflowStatus.SUCCESSFUL, "{}", null)));
                assertTrue(queued.stream().noneMatch(CompletableFuture::isDone), "queued, none refused");
            }
            queued.forEach(CompletableFuture::join);
            assertEquals(
                    WorkflowStatus.SUCCESSFUL,
                    store.workflow("admitted").orElseThrow().status());
        }
    }

    @Test
    void aRefusedWriteLeavesTheStoreWritableAndItsBatchApplied() throws Exception {
        try (WorkflowStore store = open()) {
            store.write(new CreateWorkflow("dup", "{}", 1)).join();
            CompletableFuture<Void> before;
            CompletableFuture<Void> refused;
            CompletableFuture<Void> after;
            try (AutoCloseable pause = pauseWriter(store)) {
                before = store.write(new CreateWorkflow("before", "{}", 1));
                refused = store.write(new CreateWorkflow("dup", "{}", 1));
                after = store.write(new PutTask("dup", "t", TaskState.DONE, "1"));
            }
            before.join();
            assertThrows(CompletionException.class, refused::join);
            after.join();
            assertEquals(StoreHealth.WRITABLE, store.health());
            assertEquals(2, store.list(Optional.empty()).size());
        }
    }
}
