package dev.hark.tck.selftest;

import dev.hark.api.EventContext;
import dev.hark.api.EventListener;
import dev.hark.tck.selftest.MemoryQueue.QEvent;
import java.util.concurrent.CompletionStage;

/**
 * A correct listener of its own, top level, so that {@link SecondCopy} can load a copy of it alone
 * (a nested class would need its whole nest copied).
 */
public final class TwiceOnTheClassPath implements EventListener<String, QEvent> {
    @Override
    public CompletionStage<QEvent> pollForEvent(String channel, EventContext context) {
        return new MemoryListeners.Good().pollForEvent(channel, context);
    }
}
