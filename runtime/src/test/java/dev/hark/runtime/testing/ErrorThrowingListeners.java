package dev.hark.runtime.testing;

import dev.hark.api.EventContext;
import dev.hark.api.EventListener;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;

/** Listeners whose code throws an {@link Error} (not an exception) the first time it is called. */
public final class ErrorThrowingListeners {

    private ErrorThrowingListeners() {}

    public static final AtomicInteger POLLS = new AtomicInteger();
    public static final AtomicInteger COMMITS = new AtomicInteger();

    /** The first poll throws {@link AssertionError}; later polls deliver the channel's events. */
    public static final class FirstPollThrows implements EventListener<String, ChannelEvent> {
        @Override
        public CompletionStage<ChannelEvent> pollForEvent(String channel, EventContext context) {
            if (POLLS.incrementAndGet() == 1) {
                throw new AssertionError("first poll fails");
            }
            return new ChannelListener().pollForEvent(channel, context);
        }

        @Override
        public CompletionStage<Void> eventCheckpointed(ChannelEvent event, EventContext context) {
            return new ChannelListener().eventCheckpointed(event, context);
        }
    }

    /** The first commit throws {@link StackOverflowError}; later commits succeed. */
    public static final class FirstCommitThrows implements EventListener<String, ChannelEvent> {
        @Override
        public CompletionStage<ChannelEvent> pollForEvent(String channel, EventContext context) {
            return new ChannelListener().pollForEvent(channel, context);
        }

        @Override
        public CompletionStage<Void> eventCheckpointed(ChannelEvent event, EventContext context) {
            if (COMMITS.incrementAndGet() == 1) {
                throw new StackOverflowError("first commit fails");
            }
            return new ChannelListener().eventCheckpointed(event, context);
        }
    }
}
