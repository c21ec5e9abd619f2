package dev.hark.workflow;

/**
 * Options of a plain task.
 *
 * @param name the task's name, unique within its workflow, or null for a generated one
 * @param retries how many times a failing task is run again before the workflow fails
 */
public record TaskOptions(String name, int retries) {

    static final TaskOptions DEFAULT = new TaskOptions(null, 0);

    public TaskOptions {
        if (retries < 0) {
            throw new IllegalArgumentException("retries must be 0 or more, was " + retries);
        }
        if (name != null) {
            WorkflowIds.requireValidTaskName(name);
        }
    }

    TaskOptions withName(String newName) {
        return new TaskOptions(newName, retries);
    }

    TaskOptions withRetries(int newRetries) {
        return new TaskOptions(name, newRetries);
    }
}
