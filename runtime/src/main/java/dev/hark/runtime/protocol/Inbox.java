package dev.hark.runtime.protocol;

import dev.hark.api.InboxMessage;
import dev.hark.runtime.event.Delivery;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The runtime's inbox: waits register for (workflow id, key); a sender's message goes to the first
 * wait registered for its pair, or is refused at once when none is. Nothing is ever queued for a
 * wait that does not exist yet, so a message cannot be lost in memory: it is either checkpointed by
 * a wait or refused to its sender, who can retry.
 */
public final class Inbox {

    private record Address(String workflowId, String key) {}

    private record Subscription(EventTask waiter, CompletableFuture<InboxMessage> message) {}

    private record IdempotentSend(String workflowId, String idempotencyKey) {}

    private final Map<Address, Deque<Subscription>> waiting = new ConcurrentHashMap<>();
    /** Per active workflow, the idempotency keys its waits checkpointed in this runtime. */
    private final Map<String, Set<String>> recordedKeys = new ConcurrentHashMap<>();
    /** Sends with an idempotency key whose outcome is not known yet. */
    private final Map<IdempotentSend, CompletableFuture<Delivery>> inFlight = new ConcurrentHashMap<>();
    /** Delivery ids: unique per runtime start (the prefix) and within it (the counter). */
    private final String deliveryPrefix = "msg-" + Long.toString(System.currentTimeMillis(), 36) + "-"
            + Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36) + "-";

    private final AtomicLong deliveries = new AtomicLong();
    /** Per workflow, the keys whose wait took a message, until the workflow is forgotten. */
    private final Map<String, Taken> taken = new ConcurrentHashMap<>();
    /** The early events buffered for waits not registered yet [R9.2]; null until the engine sets them. */
    private volatile EarlyEvents earlyEvents;

    /**
     * An immutable list of (key, message id): a workflow has a handful of keys at most, usually
     * one, so a list is both smaller and faster than a map per workflow.
     */
    record Taken(String key, String messageId, Taken next) {

        String messageIdFor(String wanted) {
            for (Taken t = this; t != null; t = t.next) {
                if (t.key.equals(wanted)) {
                    return t.messageId;
                }
            }
            return null;
        }

        /**
         * @param messageIdOrNull when given, the entry goes only if this message took the key
         * @return this list without the entry for {@code removed}, or null if nothing is left
         */
        Taken without(String removed, String messageIdOrNull) {
            if (messageIdFor(removed) == null) {
                return this;
            }
            Taken rest = next == null ? null : next.without(removed, messageIdOrNull);
            boolean match = key.equals(removed) && (messageIdOrNull == null || messageId.equals(messageIdOrNull));
            return match ? rest : rest == next ? this : new Taken(key, messageId, rest);
        }

        static Taken merge(Taken existing, Taken added) {
            return new Taken(added.key, added.messageId, existing.without(added.key, null));
        }
    }

    /** Registers a wait for the next message to (workflow, key). */
    CompletableFuture<InboxMessage> subscribe(EventTask wait, String key) {
        Address address = new Address(wait.workflowId(), key);
        Subscription subscription = new Subscription(wait, new CompletableFuture<>());
        waiting.compute(address, (a, queue) -> {
            Deque<Subscription> subscriptions = queue == null ? new ArrayDeque<>(1) : queue;
            subscriptions.addLast(subscription);
            return subscriptions;
        });
        taken.computeIfPresent(wait.workflowId(), (workflow, keys) -> keys.without(key, null));
        // handle, not whenComplete: a failed whenComplete stage wraps the failure in a new
        // CompletionException (a stack trace per released wait); this one completes with null
        subscription.message().handle((message, failure) -> {
            if (failure != null) {
                unsubscribe(address, subscription);
            }
            return null;
        });
        EarlyEvents early = earlyEvents;
        if (early != null) {
            early.offer(address.workflowId(), key);
        }
        return subscription.message();
    }

    /**
     * Hands a message to the first wait registered for (workflow, key).
     *
     * @param idempotencyKey the sender's key, which becomes the message's id, or null for a
     *     generated id; a send with the key of a message still being checkpointed shares that
     *     message's outcome instead of becoming a second event
     * @return the delivery's outcome; {@link Delivery.NotWaiting} at once if no wait is registered
     */
    public CompletableFuture<Delivery> send(String workflowId, String key, Object payload, String idempotencyKey) {
        if (idempotencyKey == null) {
            return deliver(workflowId, key, payload, null);
        }
        IdempotentSend id = new IdempotentSend(workflowId, idempotencyKey);
        CompletableFuture<Delivery> mine = new CompletableFuture<>();
        CompletableFuture<Delivery> first = inFlight.putIfAbsent(id, mine);
        if (first != null) {
            return first.thenApply(outcome -> outcome instanceof Delivery.Accepted accepted
                    ? new Delivery.Accepted(accepted.workflowId(), accepted.key(), accepted.eventId(), true)
                    : outcome);
        }
        deliver(workflowId, key, payload, idempotencyKey).whenComplete((outcome, failure) -> {
            inFlight.remove(id, mine);
            if (failure != null) {
                mine.completeExceptionally(failure);
            } else {
                mine.complete(outcome);
            }
        });
        return mine;
    }

    private CompletableFuture<Delivery> deliver(String workflowId, String key, Object payload, String idempotencyKey) {
        Address address = new Address(workflowId, key);
        while (true) {
            Subscription subscription = takeFirst(address);
            if (subscription == null) {
                Taken keys = taken.get(workflowId);
                String takenBy = keys == null ? null : keys.messageIdFor(key);
                return CompletableFuture.completedFuture(
                        takenBy != null
                                ? new Delivery.NotWaiting(
                                        workflowId,
                                        key,
                                        Delivery.Reason.ALREADY_RECEIVED,
                                        "workflow '" + workflowId + "' already received event " + takenBy + " for key '"
                                                + key + "'; this one was not recorded")
                                : new Delivery.NotWaiting(
                                        workflowId,
                                        key,
                                        Delivery.Reason.NO_WAIT_FOR_KEY,
                                        "workflow '" + workflowId + "' has no wait for key '" + key + "'"));
            }
            InboxMessage message = new InboxMessage(
                    idempotencyKey != null ? idempotencyKey : deliveryPrefix + deliveries.incrementAndGet(),
                    key,
                    payload);
            CompletableFuture<Delivery> reply = handOver(subscription, message, idempotencyKey);
            if (reply != null) {
                return reply;
            }
            // that wait was cancelled meanwhile; try the next one
        }
    }

    /**
     * Hands a buffered early event to the first wait registered for (workflow, key) [R9.2]. Its id
     * is treated as an idempotency key: the checkpoint claims it in the workflow's inbox, which
     * removes the buffered row in the same transaction [R9.3].
     *
     * @return the wait's outcome, or null if no wait is registered for the pair
     */
    CompletableFuture<Delivery> deliverBuffered(String workflowId, String key, String eventId, Object payload) {
        Address address = new Address(workflowId, key);
        while (true) {
            Subscription subscription = takeFirst(address);
            if (subscription == null) {
                return null;
            }
            CompletableFuture<Delivery> reply =
                    handOver(subscription, new InboxMessage(eventId, key, payload), eventId);
            if (reply != null) {
                return reply;
            }
        }
    }

    /** @return whether a wait is registered for (workflow, key) */
    boolean hasWait(String workflowId, String key) {
        return waiting.containsKey(new Address(workflowId, key));
    }

    void earlyEvents(EarlyEvents early) {
        this.earlyEvents = early;
    }

    /** @return the sender's reply tied to the wait, or null if that wait was cancelled meanwhile */
    private CompletableFuture<Delivery> handOver(
            Subscription subscription, InboxMessage message, String idempotencyKey) {
        String workflowId = subscription.waiter().workflowId();
        String key = message.key();
        CompletableFuture<Delivery> reply = new CompletableFuture<>();
        if (!subscription.waiter().expectReply(message, idempotencyKey != null, reply)
                || !subscription.message().complete(message)) {
            return null;
        }
        taken.merge(workflowId, new Taken(key, message.id(), null), Taken::merge);
        reply.whenComplete((outcome, failure) -> {
            if (idempotencyKey != null && outcome instanceof Delivery.Accepted accepted && !accepted.earlier()) {
                recordedKeys
                        .computeIfAbsent(workflowId, w -> ConcurrentHashMap.newKeySet())
                        .add(idempotencyKey);
            }
            if (!(outcome instanceof Delivery.Accepted accepted) || accepted.earlier()) {
                taken.computeIfPresent(workflowId, (workflow, keys) -> keys.without(key, message.id()));
            }
        });
        return reply;
    }

    /**
     * @return whether a message with this idempotency key was checkpointed by the workflow while it
     *     ran in this runtime; false says nothing about earlier runtimes
     */
    public boolean recordedKey(String workflowId, String idempotencyKey) {
        Set<String> keys = recordedKeys.get(workflowId);
        return keys != null && keys.contains(idempotencyKey);
    }

    /** Forgets what a finished workflow received. */
    public void forget(String workflowId) {
        taken.remove(workflowId);
        recordedKeys.remove(workflowId);
    }

    /** @return how many waits are registered */
    public int registered() {
        return waiting.values().stream().mapToInt(Deque::size).sum();
    }

    private Subscription takeFirst(Address address) {
        Subscription[] first = new Subscription[1];
        waiting.computeIfPresent(address, (a, queue) -> {
            first[0] = queue.pollFirst();
            return queue.isEmpty() ? null : queue;
        });
        return first[0];
    }

    private void unsubscribe(Address address, Subscription subscription) {
        waiting.computeIfPresent(address, (a, queue) -> {
            queue.remove(subscription);
            return queue.isEmpty() ? null : queue;
        });
    }
}
