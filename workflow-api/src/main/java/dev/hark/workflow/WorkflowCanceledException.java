package dev.hark.workflow;

import java.util.concurrent.CancellationException;

/** The workflow was cancelled before it produced an output. */
public class WorkflowCanceledException extends CancellationException {
    private static final long serialVersionUID = 1L;

    public WorkflowCanceledException(String workflowId) {
        super("Workflow '" + workflowId + "' was canceled");
    }
}
