package dev.hark.listeners.http;

import dev.hark.api.EventContext;
import dev.hark.api.EventListener;
import dev.hark.api.UnsharedSource;
import java.util.concurrent.CompletionStage;

/**
 * Waits for one HTTP event addressed to this workflow and an event key:
 * {@code POST /event/send_event/{workflow_id}} with {@code {"event_key": ..., "event_payload": ...}}.
 *
 * <p>Arguments: the event key. A null key means the task id, as Ray defaulted a missing key. The
 * sender gets 200 only once the event is durably checkpointed; the runtime ties the reply to the
 * checkpoint (see {@link EventContext#inbox}), so there is nothing left to commit and
 * {@code eventCheckpointed} keeps its no-op default — idempotent by construction, so a resume after a
 * crash between checkpoint and commit cannot fail the workflow (Ray's could).
 */
@UnsharedSource
public final class HttpListener implements EventListener<String, HttpEvent> {

    @Override
    public CompletionStage<HttpEvent> pollForEvent(String eventKey, EventContext context) {
        String key = eventKey == null ? context.taskId() : eventKey;
        return context.inbox(key).thenApply(message -> new HttpEvent(message.key(), message.payload(), message.id()));
    }
}
