package dev.hark.runtime.testing;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * An in-memory event source with a real commit: a published event stays in its channel, and is
 * redelivered to every new poll, until a listener commits it. It records every poll, delivery and
 * commit so tests can check the protocol, and lets a test see that a poll is pending before it
 * publishes.
 */
public final class Channels {

    private static final Map<String, Channel> CHANNELS = new ConcurrentHashMap<>();

    private Channels() {}

    public static Channel channel(String name) {
        return CHANNELS.computeIfAbsent(name, Channel::new);
    }

    /** One channel: its uncommitted events, pending polls, and a ledger of what happened. */
    public static final class Channel {
        private final String name;
        private final Deque<ChannelEvent> uncommitted = new ArrayDeque<>();
        private final List<CompletableFuture<ChannelEvent>> waiting = new ArrayList<>();
        private final List<String> ledger = new CopyOnWriteArrayList<>();
        private final CompletableFuture<Void> firstPoll = new CompletableFuture<>();
        private long sequence;

        Channel(String name) {
            this.name = name;
        }

        /** Publishes an event; a pending poll receives it at once. */
        public ChannelEvent publish(String payload) {
            CompletableFuture<ChannelEvent> receiver;
            ChannelEvent event;
            synchronized (this) {
                event = new ChannelEvent(name, ++sequence, payload);
                uncommitted.addLast(event);
                ledger.add("publish " + event.id());
                receiver = waiting.isEmpty() ? null : waiting.remove(0);
            }
            if (receiver != null) {
                deliver(receiver, event);
            }
            return event;
        }

        CompletableFuture<ChannelEvent> poll() {
            CompletableFuture<ChannelEvent> future = new CompletableFuture<>();
            ChannelEvent head;
            synchronized (this) {
                ledger.add("poll");
                head = uncommitted.peekFirst();
                if (head == null) {
                    waiting.add(future);
                }
            }
            firstPoll.complete(null);
            if (head != null) {
                deliver(future, head);
            }
            return future;
        }

        synchronized void forget(CompletableFuture<ChannelEvent> poll) {
            if (waiting.remove(poll)) {
                ledger.add("poll-cancelled");
            }
        }

        void commit(ChannelEvent event) {
            synchronized (this) {
                boolean removed = uncommitted.removeIf(e -> e.id().equals(event.id()));
                ledger.add((removed ? "commit " : "commit-again ") + event.id());
            }
        }

        private void deliver(CompletableFuture<ChannelEvent> receiver, ChannelEvent event) {
            if (receiver.complete(event)) {
                ledger.add("deliver " + event.id());
            }
        }

        /** Waits until some listener has polled this channel. */
        public void awaitPoll() throws InterruptedException {
            try {
                firstPoll.get(30, TimeUnit.SECONDS);
            } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
                throw new AssertionError("nobody polled channel " + name + " within 30 s; ledger: " + ledger, e);
            }
        }

        public synchronized boolean hasPendingPoll() {
            return !waiting.isEmpty();
        }

        public synchronized List<ChannelEvent> uncommitted() {
            return List.copyOf(uncommitted);
        }

        public List<String> ledger() {
            return List.copyOf(ledger);
        }

        public long count(String prefix) {
            return ledger.stream()
                    .filter(line -> line.equals(prefix) || line.startsWith(prefix + " "))
                    .count();
        }
    }
}
