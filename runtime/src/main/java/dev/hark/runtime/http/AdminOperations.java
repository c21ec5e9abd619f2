package dev.hark.runtime.http;

import dev.hark.runtime.storage.WorkflowSummary;
import dev.hark.runtime.workflow.WorkflowStatus;
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
     * Starts a workflow from a named definition.
     *
     * @param workflowId the id, or null to generate one
     * @return completes with the id once the workflow is durably recorded
     */
    CompletableFuture<String> start(String definition, String workflowId, Map<String, Object> input);

    /** @return the names of the workflow definitions this runtime can start */
    List<String> definitions();

    WorkflowStatus status(String workflowId);

    /** @return the failure description of a FAILED workflow */
    Optional<String> error(String workflowId);

    /** @return the output of a SUCCESSFUL workflow, without waiting */
    Object output(String workflowId);

    List<WorkflowSummary> list(Optional<WorkflowStatus> status);

    void cancel(String workflowId);

    /**
     * @return figures for the health check: {@code status} ({@link #HEALTH_OK} or
     *     {@link #HEALTH_STARTING}), {@code resumed} and {@code total} (the resumption's progress),
     *     and load figures
     */
    Map<String, Object> health();

    /** No workflow definition has the requested name. */
    class UnknownDefinitionException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public UnknownDefinitionException(String name, List<String> known) {
            super("no workflow definition named '" + name + "'; this runtime has " + (known.isEmpty()
                    ? "none (add a plugin with one to the plugins folder)" : known));
        }
    }
}
