package dev.hark.tck;

import java.util.concurrent.CompletionStage;

/**
 * Where a {@link SourceFixture#publish} goes: the workflow that waits (or is about to wait) on the
 * channel, and the runtime's inbox for sources that are the runtime's inbox (like the built-in
 * {@code HttpListener}). A source of its own ignores this.
 */
public interface Publication {

    /** @return the id of the workflow whose wait the event is for */
    String workflowId();

    /**
     * Sends a message to (this workflow, {@code key}) through the runtime's inbox, like
     * {@code POST /event/send_event/{workflow_id}}, retrying while no wait is registered for the
     * pair; in the TCK's direct checks (no runtime) the TCK's own inbox takes it.
     *
     * @return completes with the id of the event the wait made of it, once accepted
     */
    CompletionStage<String> sendToInbox(String key, Object payload);
}
