package dev.hark.runtime.logging;

import org.slf4j.MDC;

/**
 * The structured fields of the runtime's log lines, set in SLF4J's MDC around the engine's work on
 * one workflow: running a task, polling or committing a wait, failing a workflow. Code that logs
 * meanwhile, a listener's or a task's included, gets them too; a JSON log shows them as fields.
 * Closing restores what the thread had before, so scopes nest.
 *
 * <pre>{@code
 * try (LogFields fields = LogFields.of(workflowId, taskId, listenerId)) {
 *     ...
 * }
 * }</pre>
 */
public final class LogFields implements AutoCloseable {

    /** The workflow's id. */
    public static final String WORKFLOW_ID = "workflow_id";
    /** The task's id within its workflow (a wait is a task too). */
    public static final String TASK = "task";
    /** The listener of a wait: its class name. */
    public static final String LISTENER = "listener";

    private final String previousWorkflow;
    private final String previousTask;
    private final String previousListener;

    private LogFields(String workflowId, String task, String listener) {
        previousWorkflow = MDC.get(WORKFLOW_ID);
        previousTask = MDC.get(TASK);
        previousListener = MDC.get(LISTENER);
        set(WORKFLOW_ID, workflowId);
        set(TASK, task);
        set(LISTENER, listener);
    }

    /**
     * @param task the task, or null for work on the whole workflow
     * @param listener the wait's listener, or null when the work is no wait's
     */
    public static LogFields of(String workflowId, String task, String listener) {
        return new LogFields(workflowId, task, listener);
    }

    @Override
    public void close() {
        set(WORKFLOW_ID, previousWorkflow);
        set(TASK, previousTask);
        set(LISTENER, previousListener);
    }

    private static void set(String key, String value) {
        if (value == null) {
            MDC.remove(key);
        } else {
            MDC.put(key, value);
        }
    }
}
