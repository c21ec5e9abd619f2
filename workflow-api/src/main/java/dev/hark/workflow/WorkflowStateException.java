package dev.hark.workflow;

/** The operation does not apply to the workflow in its current status. */
public class WorkflowStateException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public WorkflowStateException(String workflowId, WorkflowStatus status, String message) {
        super("Workflow '" + workflowId + "' is " + status + ": " + message);
    }
}
