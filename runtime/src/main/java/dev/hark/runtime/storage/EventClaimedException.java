package dev.hark.runtime.storage;

/**
 * A checkpoint was refused because its occurrence is already claimed by a wait [R7.1]: nothing of
 * the write was applied. The event was taken by {@link #holder()}; the refused wait polls again.
 */
public class EventClaimedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient ClaimRecord holder;

    public EventClaimedException(ClaimRecord holder) {
        super("event '" + holder.claim().eventId() + "' of " + holder.claim().source() + " is already claimed by task '"
                + holder.taskId() + "' of workflow '" + holder.workflowId() + "'; this checkpoint was refused [R7.1]");
        this.holder = holder;
    }

    /** @return the claim that was there first */
    public ClaimRecord holder() {
        return holder;
    }
}
