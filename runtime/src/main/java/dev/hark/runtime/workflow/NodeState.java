package dev.hark.runtime.workflow;

import java.util.Locale;

/** Where a node of a workflow stands, as read from the workflow's stored records. */
public enum NodeState {
    /** Some of its inputs are not there yet. */
    PENDING,
    /** A task whose inputs are there and that has no record yet in a running workflow: queued or running. */
    RUNNING,
    /** A wait that started (its arguments are known) and has taken no event. */
    WAITING,
    /** A wait whose event is durably checkpointed; its listener has not yet confirmed the commit. */
    CHECKPOINTED,
    /** A wait whose event its listener committed at the source. */
    COMMITTED,
    /** A task that finished, or a race that was decided. */
    DONE,
    /** A race member that another member beat: it never takes an event. */
    LOST,
    /** A task whose inputs were there and that has no record in a failed workflow: what failed. */
    FAILED,
    /** Ready, with no record, in a workflow that was canceled or must be resumed. */
    STOPPED;

    /** @return the name as the admin API writes it: lower case */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
