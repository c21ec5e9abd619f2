package dev.hark.runtime.protocol;

import dev.hark.runtime.storage.EventClaim;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The claims this runtime is checkpointing or committing right now, each with a future that
 * completes when its wait is done with the occurrence (committed at the source, or the checkpoint
 * failed). A wait whose checkpoint was refused because a local wait holds the claim polls again
 * when that future completes: by then the source has forgotten the occurrence, so the next poll
 * finds the next one instead of the same one again [R7.1].
 */
public final class InFlightClaims {

    private final Map<EventClaim, CompletableFuture<Void>> inFlight = new ConcurrentHashMap<>();

    /** Registers a wait's claims just before its checkpoint is queued. */
    CompletableFuture<Void> register(List<EventClaim> claims) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        for (EventClaim claim : claims) {
            inFlight.putIfAbsent(claim, done);
        }
        return done;
    }

    /** The wait is done with its claims: wakes the waits that were refused because of them. */
    void release(List<EventClaim> claims, CompletableFuture<Void> done) {
        for (EventClaim claim : claims) {
            inFlight.remove(claim, done);
        }
        done.complete(null);
    }

    /** @return the future of the local wait holding {@code claim}, or null if none here holds it */
    CompletableFuture<Void> holder(EventClaim claim) {
        return inFlight.get(claim);
    }

    int size() {
        return inFlight.size();
    }
}
