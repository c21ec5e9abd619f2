package dev.hark.runtime.http;

import dev.hark.runtime.storage.WorkflowSummary;
import dev.hark.runtime.workflow.GraphNode;
import dev.hark.runtime.workflow.OpenWait;
import dev.hark.workflow.UnknownDefinitionException;
import dev.hark.workflow.WorkflowStatus;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * What the admin API can do with the runtime. Errors are the runtime's own exceptions:
 * {@code UnknownWorkflowException} (404), {@code WorkflowExistsException} (409),
 * {@code WorkflowStateException} (409), {@code IllegalArgumentException} (400),
 * {@link UnknownDefinitionException} (404).
 */
public interface AdminOperations {

    /** {@code status} of {@link #health()} once the runtime answers every workflow normally (HTTP 200). */
    String HEALTH_OK = "ok";
    /**
     * {@code status} of {@link #health()} while workflows are still being re-parked after a restart
     * (HTTP 503 with {@code Retry-After}, so that a load balancer holds traffic back).
     */
    String HEALTH_STARTING = "starting";
    /**
     * {@code status} of {@link #health()} while the store refuses writes: its last write batch failed
     * on the medium (disk full, read-only) and none has committed since (HTTP 503 on {@code /health}
     * and {@code /health/ready}; {@code reason} says why).
     */
    String HEALTH_STORE_FAILING = "store_failing";

    /**
     * Starts a workflow from a named definition.
     *
     * @param workflowId the id, or null to generate one
     * @return completes with the id once the workflow is durably recorded
     */
    CompletableFuture<String> start(String definition, String workflowId, Map<String, Object> input);

    /** @return the names of the workflow definitions this runtime can start */
    List<String> definitions();

    WorkflowStatus status(String workflowId);

    /**
     * When a workflow was created and when its status last changed, as stored.
     *
     * @param created when it was recorded
     * @param updated when its status last changed (its creation, until then)
     */
    record Times(Instant created, Instant updated) {}

    /** @return the workflow's {@link Times}, or empty if this runtime does not keep them */
    default Optional<Times> times(String workflowId) {
        return Optional.empty();
    }

    /** @return the waits a RUNNING or RESUMABLE workflow has open; empty for any other */
    default List<OpenWait> openWaits(String workflowId) {
        return List.of();
    }

    /** @return the failure description of a FAILED workflow */
    Optional<String> error(String workflowId);

    /** @return the output of a SUCCESSFUL workflow, without waiting */
    Object output(String workflowId);

    List<WorkflowSummary> list(Optional<WorkflowStatus> status);

    /**
     * One page of {@link #list(Optional)}: ids after {@code afterId} (null for the first page), at
     * most {@code limit}, ordered by id.
     */
    default List<WorkflowSummary> list(Optional<WorkflowStatus> status, String afterId, int limit) {
        return list(status).stream()
                .filter(w -> afterId == null || w.id().compareTo(afterId) > 0)
                .limit(limit)
                .toList();
    }

    /**
     * @return the early events buffered for the workflow [R9.4], oldest first, each as
     *     {@code event_key}, {@code event_id}, {@code received_at}, {@code expires_at}; empty when none
     */
    default List<Map<String, Object>> bufferedEvents(String workflowId) {
        return List.of();
    }

    void cancel(String workflowId);

    /**
     * Writes a consistent copy of the store to {@code target}, a new file (the backup endpoint).
     *
     * @return the backup's size in bytes
     * @throws java.nio.file.FileAlreadyExistsException if {@code target} exists
     * @throws UnsupportedOperationException if the store cannot copy itself
     */
    default long backup(Path target) throws IOException {
        throw new UnsupportedOperationException("this runtime's store cannot be backed up through the admin API");
    }

    /**
     * @return the workflow's nodes with their states, dependencies first (the console draws them);
     *     see {@code dev.hark.runtime.workflow.GraphNodes}
     */
    default List<GraphNode> graph(String workflowId) {
        throw new UnsupportedOperationException("this runtime does not show workflow graphs");
    }

    /**
     * Continues a {@link WorkflowStatus#RESUMABLE} or {@link WorkflowStatus#FAILED} workflow from
     * its checkpoints, in the background; returns once it is running again.
     *
     * @throws dev.hark.workflow.WorkflowStateException if it is in any other status (409)
     */
    default void resume(String workflowId) {
        throw new UnsupportedOperationException("this runtime does not resume workflows over HTTP");
    }

    /**
     * @return figures for the health check: {@code status} ({@link #HEALTH_OK},
     *     {@link #HEALTH_STARTING} or {@link #HEALTH_STORE_FAILING}), {@code ready} (whether it is
     *     ok), {@code reason} when not ready, {@code resumed} and {@code total} (the resumption's
     *     progress), and load figures
     */
    Map<String, Object> health();
}
