package dev.hark.runtime.testing;

import dev.hark.api.Event;

/** An event of the in-memory {@link Channels} source. */
public record ChannelEvent(String channel, long sequence, String payload) implements Event {
    @Override
    public String id() {
        return channel + "#" + sequence;
    }
}
