package dev.hark.runtime.testing;

import dev.hark.api.EventContext;
import dev.hark.api.EventListener;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A source that keeps offering its current occurrence to every poll, committed or not, the way a
 * source redelivers what it believes is not taken (a consumer group reset, a commit that was lost).
 * Args: the source's name. Only the runtime's claims keep two waits from taking one occurrence.
 */
public final class StickyListener implements EventListener<String, ChannelEvent> {

    private static final Map<String, String> CURRENT = new ConcurrentHashMap<>();
    private static final Map<String, AtomicInteger> POLLS = new ConcurrentHashMap<>();

    /** Sets the occurrence every later poll of {@code source} gets. */
    public static void offer(String source, String occurrence) {
        CURRENT.put(source, occurrence);
    }

    public static int polls(String source) {
        return POLLS.computeIfAbsent(source, s -> new AtomicInteger()).get();
    }

    @Override
    public CompletionStage<ChannelEvent> pollForEvent(String source, EventContext context) {
        POLLS.computeIfAbsent(source, s -> new AtomicInteger()).incrementAndGet();
        return look(source, context);
    }

    private static CompletionStage<ChannelEvent> look(String source, EventContext context) {
        String occurrence = CURRENT.get(source);
        if (occurrence != null) {
            return CompletableFuture.completedFuture(new ChannelEvent(source, Long.parseLong(occurrence), "sticky"));
        }
        return context.timerAt(context.clock().instant().plusMillis(20)).thenCompose(t -> look(source, context));
    }
}
