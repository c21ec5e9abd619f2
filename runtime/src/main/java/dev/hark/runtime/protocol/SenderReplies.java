package dev.hark.runtime.protocol;

import dev.hark.api.InboxMessage;
import dev.hark.runtime.event.Delivery;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The senders (HTTP requests, {@code Hark.sendEvent} calls) whose messages a wait took and who
 * wait for its outcome: each is answered exactly once, when the wait checkpoints an event, fails,
 * or is cancelled. Guarded by the owning {@link EventTask}'s lock for adding; settling takes the
 * list out under the same lock and answers outside it.
 */
final class SenderReplies {

    /** A sender waiting for the outcome; {@code idempotent} when the message id is the sender's key. */
    record PendingReply(InboxMessage message, boolean idempotent, CompletableFuture<Delivery> reply) {}

    private List<PendingReply> replies;

    /** Call holding the task's lock. */
    void add(InboxMessage message, boolean idempotent, CompletableFuture<Delivery> reply) {
        if (replies == null) {
            replies = new ArrayList<>(1);
        }
        replies.add(new PendingReply(message, idempotent, reply));
    }

    /** Call holding the task's lock. @return the sender whose message has this id [R6.4], or null */
    PendingReply carrying(String eventId) {
        if (replies != null) {
            for (PendingReply reply : replies) {
                if (reply.message().id().equals(eventId)) {
                    return reply;
                }
            }
        }
        return null;
    }

    /** Call holding the task's lock. @return the pending replies, now no longer held here; null if none */
    List<PendingReply> takeAll() {
        List<PendingReply> pending = replies;
        replies = null;
        return pending;
    }

    /** Answers every reply taken by {@link #takeAll}; call without the lock. */
    static void settle(List<PendingReply> pending, Function<PendingReply, Delivery> outcome) {
        if (pending != null) {
            for (PendingReply reply : pending) {
                reply.reply().complete(outcome.apply(reply));
            }
        }
    }
}
