package dev.hark.tck.builtin;

import dev.hark.listeners.timer.TimerEvent;
import dev.hark.listeners.timer.TimerListener;
import dev.hark.tck.Capability;
import dev.hark.tck.ListenerVerification;
import dev.hark.tck.Publication;
import dev.hark.tck.SourceFixture;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;

/** The built-in timer passes the TCK: a channel is a deadline, its one event fires by itself. */
class TimerListenerVerificationTest extends ListenerVerification<Instant, TimerEvent> {

    private static final AtomicLong DISTINCT = new AtomicLong();

    @Override
    protected Class<TimerListener> listener() {
        return TimerListener.class;
    }

    @Override
    protected SourceFixture<Instant> createFixture() {
        return new SourceFixture<>() {
            @Override
            public Instant newChannel(String name) {
                // a fresh deadline, far enough for the TCK to cancel a wait on it first, distinct per channel
                return Instant.now().plusMillis(400).plusNanos(DISTINCT.incrementAndGet() % 1_000_000);
            }

            @Override
            public CompletionStage<String> publish(Instant deadline, String payload, Publication publication) {
                return CompletableFuture.completedFuture(new TimerEvent(deadline).id()); // it fires on its own
            }

            @Override
            public Map<Capability, String> unsupported() {
                return Map.of(
                        Capability.MULTIPLE_EVENTS_PER_CHANNEL,
                        "a deadline is one occurrence that every wait on it sees; nothing to commit");
            }
        };
    }
}
