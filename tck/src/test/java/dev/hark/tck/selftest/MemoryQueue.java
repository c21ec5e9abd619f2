package dev.hark.tck.selftest;

import dev.hark.api.Event;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An in-memory queue source with a real commit, for the TCK's self-tests: a published event stays
 * until committed; a poll gets the oldest uncommitted event, or waits for the next one.
 */
public final class MemoryQueue {

    private static final Map<String, Channel> CHANNELS = new ConcurrentHashMap<>();

    private MemoryQueue() {}

    public static Channel channel(String name) {
        return CHANNELS.computeIfAbsent(name, Channel::new);
    }

    /** An event of the memory queue. */
    public record QEvent(String channel, long sequence, String payload) implements Event {
        @Override
        public String id() {
            return channel + "#" + sequence;
        }
    }

    /** One channel. */
    public static final class Channel {
        private final String name;
        private final Deque<QEvent> uncommitted = new ArrayDeque<>();
        private final Set<String> committed = ConcurrentHashMap.newKeySet();
        private final List<CompletableFuture<QEvent>> waiters = new ArrayList<>();
        private final Map<Long, Integer> handouts = new java.util.HashMap<>();
        private long sequence;

        Channel(String name) {
            this.name = name;
        }

        public QEvent publish(String payload) {
            List<CompletableFuture<QEvent>> fed;
            QEvent event;
            synchronized (this) {
                event = new QEvent(name, ++sequence, payload);
                uncommitted.addLast(event);
                fed = List.copyOf(waiters);
                waiters.clear();
            }
            fed.forEach(w -> w.complete(event));
            return event;
        }

        /** The oldest uncommitted event, now or when one is published. */
        public CompletableFuture<QEvent> poll() {
            CompletableFuture<QEvent> future = new CompletableFuture<>();
            QEvent head;
            synchronized (this) {
                head = uncommitted.peekFirst();
                if (head == null) {
                    waiters.add(future);
                }
            }
            if (head != null) {
                future.complete(head);
            }
            return future;
        }

        /** The oldest uncommitted event, if any: what {@code SELECT … WHERE consumed = 0 ORDER BY seq LIMIT 1} reads. */
        public synchronized java.util.Optional<QEvent> peek() {
            return java.util.Optional.ofNullable(uncommitted.peekFirst());
        }

        /** The oldest uncommitted event {@code skip} does not exclude, now or when one is published. */
        public CompletableFuture<QEvent> pollSkipping(java.util.function.Predicate<QEvent> skip) {
            CompletableFuture<QEvent> future = new CompletableFuture<>();
            QEvent found;
            synchronized (this) {
                found = uncommitted.stream()
                        .filter(e -> !skip.test(e))
                        .findFirst()
                        .orElse(null);
                if (found == null) {
                    waiters.add(future);
                }
            }
            if (found != null) {
                future.complete(found);
            }
            return future;
        }

        /** @return how many times {@code event} has been handed out so far, this time included */
        public synchronized int handedOut(QEvent event) {
            return handouts.merge(event.sequence(), 1, Integer::sum);
        }

        public synchronized void forget(CompletableFuture<QEvent> waiter) {
            waiters.remove(waiter);
        }

        /** Forgets the event with this id, if it is still there. */
        public synchronized void commit(String id) {
            if (uncommitted.removeIf(e -> e.id().equals(id))) {
                committed.add(id);
            }
        }

        /** Forgets the oldest event, whichever it is. */
        public synchronized void commitHead() {
            QEvent head = uncommitted.pollFirst();
            if (head != null) {
                committed.add(head.id());
            }
        }

        public Set<String> committed() {
            return Set.copyOf(committed);
        }
    }
}
