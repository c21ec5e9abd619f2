package dev.hark.runtime.storage.contract;

import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.hark.runtime.storage.TaskRecord;
import dev.hark.runtime.storage.WorkflowStore;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.BeforeEach;

/**
 * The base of the store contract classes: each concrete store's test extends a contract class and
 * says how to open the store ({@link #fixture()}); the contract's tests then run against it.
 */
public abstract class StoreContract {

    /** @return how to open the store under test, for the current test */
    protected abstract StoreFixture fixture();

    @BeforeEach
    void resetStore() {
        fixture().reset();
    }

    protected WorkflowStore open() {
        return fixture().open();
    }

    protected WorkflowStore open(int maxBatch, int queueCapacity) {
        return fixture().open(maxBatch, queueCapacity);
    }

    protected AutoCloseable pauseWriter(WorkflowStore store) throws Exception {
        return fixture().pauseWriter(store);
    }

    protected static Throwable failureOf(CompletableFuture<?> f) {
        CompletionException e = assertThrows(CompletionException.class, f::join);
        return e.getCause();
    }

    protected static List<TaskRecord> sorted(List<TaskRecord> tasks) {
        List<TaskRecord> copy = new ArrayList<>(tasks);
        copy.sort(Comparator.comparing(TaskRecord::taskId));
        return copy;
    }
}
