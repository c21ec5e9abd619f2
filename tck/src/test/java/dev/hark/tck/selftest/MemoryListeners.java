package dev.hark.tck.selftest;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.hark.api.Event;
import dev.hark.api.EventContext;
import dev.hark.api.EventListener;
import dev.hark.api.UnsharedSource;
import dev.hark.tck.selftest.MemoryQueue.QEvent;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/** A correct listener over {@link MemoryQueue}, and deliberately broken variants, each breaking one rule. */
public final class MemoryListeners {

    private MemoryListeners() {}

    /** Correct: polls without consuming, releases its waiter on cancel, commits by id. */
    public static final class Good implements EventListener<String, QEvent> {
        @Override
        public CompletionStage<QEvent> pollForEvent(String channel, EventContext context) {
            MemoryQueue.Channel source = MemoryQueue.channel(channel);
            CompletableFuture<QEvent> poll = source.poll();
            context.onCancel(() -> source.forget(poll));
            return poll;
        }

        @Override
        public CompletionStage<Void> eventCheckpointed(QEvent event, EventContext context) {
            MemoryQueue.channel(event.channel()).commit(event.id());
            return CompletableFuture.completedFuture(null);
        }
    }

    /** Breaks L3.3: acknowledges the event as soon as it is received, before the checkpoint. */
    public static final class CommitsAtPollTime implements EventListener<String, QEvent> {
        @Override
        public CompletionStage<QEvent> pollForEvent(String channel, EventContext context) {
            MemoryQueue.Channel source = MemoryQueue.channel(channel);
            CompletableFuture<QEvent> poll = source.poll();
            context.onCancel(() -> source.forget(poll));
            return poll.thenApply(event -> {
                source.commit(event.id());
                return event;
            });
        }
    }

    /** Breaks L4.4: never commits, so the source redelivers every event forever. */
    public static final class NeverCommits implements EventListener<String, QEvent> {
        @Override
        public CompletionStage<QEvent> pollForEvent(String channel, EventContext context) {
            MemoryQueue.Channel source = MemoryQueue.channel(channel);
            CompletableFuture<QEvent> poll = source.poll();
            context.onCancel(() -> source.forget(poll));
            return poll;
        }
    }

    /** Breaks L4.2: commits by popping the queue's head, so a repeated call forgets the next event. */
    public static final class NonIdempotentCommit implements EventListener<String, QEvent> {
        @Override
        public CompletionStage<QEvent> pollForEvent(String channel, EventContext context) {
            return new Good().pollForEvent(channel, context);
        }

        @Override
        public CompletionStage<Void> eventCheckpointed(QEvent event, EventContext context) {
            MemoryQueue.channel(event.channel()).commitHead();
            return CompletableFuture.completedFuture(null);
        }
    }

    /** Breaks L2.1: counts its polls in a mutable field. */
    public static final class MutableField implements EventListener<String, QEvent> {
        private int polls;

        @Override
        public CompletionStage<QEvent> pollForEvent(String channel, EventContext context) {
            polls++;
            return new Good().pollForEvent(channel, context);
        }

        @Override
        public CompletionStage<Void> eventCheckpointed(QEvent event, EventContext context) {
            return new Good().eventCheckpointed(event, context);
        }

        @Override
        public String toString() {
            return "MutableField after " + polls + " polls";
        }
    }

    /** Breaks L2.2: "deduplicates" in a final set, so a used instance never returns an event it saw. */
    public static final class RemembersDelivered implements EventListener<String, QEvent> {
        private final Set<String> delivered = ConcurrentHashMap.newKeySet();

        @Override
        public CompletionStage<QEvent> pollForEvent(String channel, EventContext context) {
            return new Good()
                    .pollForEvent(channel, context)
                    .thenCompose(e ->
                            delivered.add(e.id()) ? CompletableFuture.completedFuture(e) : new CompletableFuture<>());
        }

        @Override
        public CompletionStage<Void> eventCheckpointed(QEvent event, EventContext context) {
            return new Good().eventCheckpointed(event, context);
        }
    }

    /** Breaks L1.2: its only constructor takes an argument. */
    public static final class NoNoArgConstructor implements EventListener<String, QEvent> {
        private final String prefix;

        public NoNoArgConstructor(String prefix) {
            this.prefix = prefix;
        }

        @Override
        public CompletionStage<QEvent> pollForEvent(String channel, EventContext context) {
            return MemoryQueue.channel(prefix + channel).poll();
        }
    }

    /** Breaks L3.1: waits for the event on the calling thread. */
    public static final class BlockingPoll implements EventListener<String, QEvent> {
        @Override
        public CompletionStage<QEvent> pollForEvent(String channel, EventContext context) {
            return CompletableFuture.completedFuture(
                    MemoryQueue.channel(channel).poll().join());
        }

        @Override
        public CompletionStage<Void> eventCheckpointed(QEvent event, EventContext context) {
            return new Good().eventCheckpointed(event, context);
        }
    }

    /** Breaks L3.4: on cancel it "drains" its consumer, acknowledging whatever reaches it later. */
    public static final class ConsumesWhenCancelled implements EventListener<String, QEvent> {
        @Override
        public CompletionStage<QEvent> pollForEvent(String channel, EventContext context) {
            MemoryQueue.Channel source = MemoryQueue.channel(channel);
            CompletableFuture<QEvent> consumer = source.poll();
            context.onCancel(() -> consumer.thenAccept(e -> source.commit(e.id())));
            return consumer.thenApply(e -> e);
        }

        @Override
        public CompletionStage<Void> eventCheckpointed(QEvent event, EventContext context) {
            return new Good().eventCheckpointed(event, context);
        }
    }

    /**
     * Correct, in the shape of a table queue (SQLite and the like): a poll reads the first row not
     * yet consumed, looking again on the context's timer; {@code eventCheckpointed} marks that row
     * consumed. Competing waits read the same first row, and the runtime's claim on the id lets one
     * of them have it [R7.1].
     */
    public static final class TableQueue implements EventListener<String, QEvent> {
        static final Duration LOOK_EVERY = Duration.ofMillis(10);

        @Override
        public CompletionStage<QEvent> pollForEvent(String channel, EventContext context) {
            CompletableFuture<QEvent> result = new CompletableFuture<>();
            look(MemoryQueue.channel(channel), context, result);
            return result;
        }

        private static void look(MemoryQueue.Channel table, EventContext context, CompletableFuture<QEvent> result) {
            if (result.isDone() || context.isCancelled()) {
                return;
            }
            table.peek()
                    .ifPresentOrElse(
                            result::complete,
                            () -> context.timerAt(context.clock().instant().plus(LOOK_EVERY))
                                    .thenRun(() -> look(table, context, result)));
        }

        @Override
        public CompletionStage<Void> eventCheckpointed(QEvent event, EventContext context) {
            MemoryQueue.channel(event.channel()).commit(event.id());
            return CompletableFuture.completedFuture(null);
        }
    }

    /**
     * An event whose id names the hand-out, not only the occurrence: the first hand-out of an event
     * carries the plain id, each later one (a redelivery, or another wait polling the same row) a
     * new one, like a broker's receipt handle.
     */
    public record HandedOutEvent(String channel, long sequence, String payload, int handout) implements Event {
        @Override
        public String id() {
            return channel + "#" + sequence + (handout == 1 ? "" : "/" + handout);
        }
    }

    /** Breaks L3.5: the same occurrence, polled again, carries a new id. */
    public static final class NewIdPerPoll implements EventListener<String, HandedOutEvent> {
        @Override
        public CompletionStage<HandedOutEvent> pollForEvent(String channel, EventContext context) {
            MemoryQueue.Channel source = MemoryQueue.channel(channel);
            CompletableFuture<QEvent> poll = source.poll();
            context.onCancel(() -> source.forget(poll));
            return poll.thenApply(e -> new HandedOutEvent(e.channel(), e.sequence(), e.payload(), source.handedOut(e)));
        }

        @Override
        public CompletionStage<Void> eventCheckpointed(HandedOutEvent event, EventContext context) {
            MemoryQueue.channel(event.channel()).commit(event.channel() + "#" + event.sequence());
            return CompletableFuture.completedFuture(null);
        }
    }

    /**
     * Breaks L3.9: declares {@code @UnsharedSource}, so the runtime claims none of its events, yet
     * its channel is a queue that every wait on it reads.
     */
    @UnsharedSource
    public static final class SharedButDeclaredUnshared implements EventListener<String, QEvent> {
        @Override
        public CompletionStage<QEvent> pollForEvent(String channel, EventContext context) {
            return new Good().pollForEvent(channel, context);
        }

        @Override
        public CompletionStage<Void> eventCheckpointed(QEvent event, EventContext context) {
            return new Good().eventCheckpointed(event, context);
        }
    }

    /** Breaks L3.4: a wait cancelled after its poll returned an event "acknowledges" that event. */
    public static final class ConsumesSeenEventOnCancel implements EventListener<String, QEvent> {
        @Override
        public CompletionStage<QEvent> pollForEvent(String channel, EventContext context) {
            MemoryQueue.Channel source = MemoryQueue.channel(channel);
            CompletableFuture<QEvent> poll = source.poll();
            context.onCancel(() -> {
                if (poll.isDone() && !poll.isCompletedExceptionally()) {
                    source.commit(poll.join().id()); // "done with it": wrong, it was never checkpointed
                } else {
                    source.forget(poll);
                }
            });
            return poll.thenApply(e -> e);
        }

        @Override
        public CompletionStage<Void> eventCheckpointed(QEvent event, EventContext context) {
            return new Good().eventCheckpointed(event, context);
        }
    }

    /** Breaks L3.3: acknowledges the event 50 ms after the poll returned it (an auto-ack on a timer). */
    public static final class ConsumesLater implements EventListener<String, QEvent> {
        @Override
        public CompletionStage<QEvent> pollForEvent(String channel, EventContext context) {
            MemoryQueue.Channel source = MemoryQueue.channel(channel);
            return new Good().pollForEvent(channel, context).thenApply(e -> {
                CompletableFuture.delayedExecutor(50, TimeUnit.MILLISECONDS).execute(() -> source.commit(e.id()));
                return e;
            });
        }

        @Override
        public CompletionStage<Void> eventCheckpointed(QEvent event, EventContext context) {
            return new Good().eventCheckpointed(event, context);
        }
    }

    /**
     * Breaks L2.2: batches its acknowledgements in a static buffer (sent with the next commit) and
     * hides the events waiting in it from polls. In one JVM nothing shows; after a restart the
     * buffer is empty and the source delivers those events again.
     */
    public static final class StaticAckBuffer implements EventListener<String, QEvent> {
        private static final Set<String> UNSENT_ACKS = ConcurrentHashMap.newKeySet();

        @Override
        public CompletionStage<QEvent> pollForEvent(String channel, EventContext context) {
            MemoryQueue.Channel source = MemoryQueue.channel(channel);
            CompletableFuture<QEvent> poll = source.pollSkipping(e -> UNSENT_ACKS.contains(e.id()));
            context.onCancel(() -> source.forget(poll));
            return poll;
        }

        @Override
        public CompletionStage<Void> eventCheckpointed(QEvent event, EventContext context) {
            for (String id : Set.copyOf(UNSENT_ACKS)) {
                MemoryQueue.channel(id.substring(0, id.lastIndexOf('#'))).commit(id);
            }
            UNSENT_ACKS.add(event.id());
            return CompletableFuture.completedFuture(null);
        }
    }

    /** Breaks L3.2: completes its poll with null; the runtime fails the workflow, citing L3.2. */
    public static final class NullEvent implements EventListener<String, QEvent> {
        @Override
        public CompletionStage<QEvent> pollForEvent(String channel, EventContext context) {
            return new Good().pollForEvent(channel, context).thenApply(e -> null);
        }
    }

    /** Never delivers anything: for the liveness knob's test. */
    public static final class Silent implements EventListener<String, QEvent> {
        @Override
        public CompletionStage<QEvent> pollForEvent(String channel, EventContext context) {
            return new CompletableFuture<>();
        }
    }

    /**
     * An event whose id is the broker's message id, which is not serialized: after a Jackson round
     * trip (every checkpoint) it is gone.
     */
    public record UnstableEvent(
            String channel,
            long sequence,
            String payload,
            @JsonIgnore String brokerId) implements Event {
        @Override
        public String id() {
            return brokerId;
        }
    }

    /** Breaks L1.5: its events lose their id in a Jackson round trip. */
    public static final class UnstableId implements EventListener<String, UnstableEvent> {
        @Override
        public CompletionStage<UnstableEvent> pollForEvent(String channel, EventContext context) {
            return new Good()
                    .pollForEvent(channel, context)
                    .thenApply(e -> new UnstableEvent(e.channel(), e.sequence(), e.payload(), e.id()));
        }

        @Override
        public CompletionStage<Void> eventCheckpointed(UnstableEvent event, EventContext context) {
            MemoryQueue.channel(event.channel()).commit(event.channel() + "#" + event.sequence());
            return CompletableFuture.completedFuture(null);
        }
    }

    /** Breaks L1.1: not public, so the runtime cannot create it from outside its package. */
    static final class NotPublic implements EventListener<String, QEvent> {
        @Override
        public CompletionStage<QEvent> pollForEvent(String channel, EventContext context) {
            return new Good().pollForEvent(channel, context);
        }
    }

    /** Breaks L1.7: its constructor opens a connection eagerly, and the broker is not there. */
    public static final class ThrowsInConstructor implements EventListener<String, QEvent> {
        public ThrowsInConstructor() {
            throw new IllegalStateException("cannot reach the broker");
        }

        @Override
        public CompletionStage<QEvent> pollForEvent(String channel, EventContext context) {
            return new Good().pollForEvent(channel, context);
        }
    }

    /** Breaks L1.7 under a short load bound: its constructor takes a second (a slow eager connect). */
    public static final class SlowConstructor implements EventListener<String, QEvent> {
        public SlowConstructor() {
            try {
                Thread.sleep(1_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public CompletionStage<QEvent> pollForEvent(String channel, EventContext context) {
            return new Good().pollForEvent(channel, context);
        }
    }
}
