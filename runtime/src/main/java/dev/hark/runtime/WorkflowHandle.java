package dev.hark.runtime;

import java.util.concurrent.CompletableFuture;

/**
 * A workflow that {@link Hark#start} submitted.
 *
 * @param id the workflow id
 * @param started completes once the workflow is durably recorded (a crash after this point loses
 *     nothing), or fails if it could not be (for example, the id exists)
 * @param output completes with the workflow's output, or fails with why it did not produce one
 */
public record WorkflowHandle<R>(String id, CompletableFuture<Void> started, CompletableFuture<R> output) {}
