package dev.hark.workflow;

/** No workflow with the given id is stored. */
public class UnknownWorkflowException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UnknownWorkflowException(String workflowId) {
        super("No workflow with id '" + workflowId + "'");
    }
}
