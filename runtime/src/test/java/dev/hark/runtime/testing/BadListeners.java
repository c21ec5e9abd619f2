package dev.hark.runtime.testing;

import dev.hark.api.EventContext;
import dev.hark.api.EventListener;
import java.util.concurrent.CompletionStage;

/** Listener classes that break definition rules, for the tests that expect them refused. */
public final class BadListeners {

    private BadListeners() {}

    /** Breaks L1.2: its only constructor takes an argument. */
    public static final class NoNoArgConstructor implements EventListener<String, ChannelEvent> {
        private final String prefix;

        public NoNoArgConstructor(String prefix) {
            this.prefix = prefix;
        }

        @Override
        public CompletionStage<ChannelEvent> pollForEvent(String args, EventContext context) {
            return Channels.channel(prefix + args).poll();
        }
    }

    /** Breaks L1.1: abstract. */
    public abstract static class Abstract implements EventListener<String, ChannelEvent> {}

    /** Arguments that Jackson cannot serialize: a property that refers back to its owner. */
    public static final class Opaque {
        public Opaque getSelf() {
            return this;
        }
    }

    /** A fine listener whose argument type Jackson cannot serialize. */
    public static final class OpaqueArgs implements EventListener<Opaque, ChannelEvent> {
        @Override
        public CompletionStage<ChannelEvent> pollForEvent(Opaque args, EventContext context) {
            return Channels.channel(String.valueOf(args)).poll();
        }
    }
}
