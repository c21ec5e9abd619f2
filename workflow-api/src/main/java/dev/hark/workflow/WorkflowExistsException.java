package dev.hark.workflow;

/** A workflow with this id is already stored. */
public class WorkflowExistsException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public WorkflowExistsException(String workflowId) {
        super("A workflow with id '" + workflowId
                + "' already exists; refusing to start another under it. Use resume(\"" + workflowId
                + "\") to continue it, or delete it first");
    }
}
