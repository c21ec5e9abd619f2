package dev.hark.tck;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Publishes into the fixture's source. A fixture that cannot publish is the fixture's problem, not
 * the listener's: it is reported as an error naming no rule.
 */
final class Publishing<A> {

    private final Supplier<SourceFixture<A>> fixture;
    private final Duration patience;

    Publishing(Supplier<SourceFixture<A>> fixture, Duration patience) {
        this.fixture = fixture;
        this.patience = patience;
    }

    /** @return the id the listener's event for this occurrence will carry */
    String publish(A channel, String payload, Publication publication) {
        try {
            return publishAsync(channel, payload, publication).get(patience.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException(
                    "the fixture could not publish into " + channel + ": " + e.getCause(), e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw new IllegalStateException(
                    "the fixture did not publish into " + channel + " within " + patience.toMillis() + " ms", e);
        }
    }

    /** For a publication that completes only once a wait takes it (the runtime's inbox). */
    CompletableFuture<String> publishAsync(A channel, String payload, Publication publication) {
        try {
            return fixture.get().publish(channel, payload, publication).toCompletableFuture();
        } catch (Exception e) {
            return CompletableFuture.failedFuture(e);
        }
    }
}
