package dev.hark.workflow;

/** A workflow failed: a task threw after its retries, or its definition could not run. */
public class WorkflowFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String workflowId;

    public WorkflowFailedException(String workflowId, String message, Throwable cause) {
        super("Workflow '" + workflowId + "' failed: " + message, cause);
        this.workflowId = workflowId;
    }

    public String workflowId() {
        return workflowId;
    }
}
