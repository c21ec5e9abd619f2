package dev.hark.runtime.testing;

import dev.hark.api.EventContext;
import dev.hark.api.EventListener;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** A well-behaved listener over {@link Channels}: args = channel name; commits by forgetting. */
public final class ChannelListener implements EventListener<String, ChannelEvent> {

    @Override
    public CompletionStage<ChannelEvent> pollForEvent(String channel, EventContext context) {
        Channels.Channel source = Channels.channel(channel);
        CompletableFuture<ChannelEvent> poll = source.poll();
        context.onCancel(() -> source.forget(poll));
        return poll;
    }

    @Override
    public CompletionStage<Void> eventCheckpointed(ChannelEvent event, EventContext context) {
        Channels.channel(event.channel()).commit(event);
        return CompletableFuture.completedFuture(null);
    }
}
