package dev.hark.runtime;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * A workflow that {@link Hark#start} submitted.
 *
 * @param <R> the type of the workflow's output
 */
public final class WorkflowHandle<R> {

    private final String id;
    private final CompletableFuture<Void> started;
    private final Supplier<CompletableFuture<R>> output;

    WorkflowHandle(String id, CompletableFuture<Void> started, Supplier<CompletableFuture<R>> output) {
        this.id = Objects.requireNonNull(id, "id");
        this.started = Objects.requireNonNull(started, "started");
        this.output = Objects.requireNonNull(output, "output");
    }

    /** @return the workflow id */
    public String id() {
        return id;
    }

    /**
     * @return completes once the workflow is durably recorded (a crash after this point loses
     *     nothing), or fails if it could not be (for example, the id exists)
     */
    public CompletableFuture<Void> started() {
        return started;
    }

    /**
     * The output is read back from its stored form only for callers that ask for it, so a handle
     * whose output is never asked for costs nothing when the workflow finishes.
     *
     * @return completes with the workflow's output, or fails with why it did not produce one; the
     *     same future on every call
     */
    public CompletableFuture<R> output() {
        return output.get();
    }

    @Override
    public String toString() {
        return "WorkflowHandle[" + id + "]";
    }
}
