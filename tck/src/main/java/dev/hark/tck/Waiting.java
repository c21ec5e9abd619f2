package dev.hark.tck;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Waits, bounded by the liveness setting [L3.6], for what a listener or a workflow delivers; a
 * wait that ends without it fails under the rule being checked.
 */
final class Waiting {

    private final Duration liveness;

    Waiting(Duration liveness) {
        this.liveness = liveness;
    }

    /** @return the event {@code stage} completes with; null, nothing in time or a failure fail {@code rule} */
    <T> T await(CompletionStage<T> stage, String rule, String what) {
        try {
            T event = stage.toCompletableFuture().get(liveness.toMillis(), TimeUnit.MILLISECONDS);
            if (event == null) {
                fail("[L3.2] " + what + " completed with null; it must complete with an event");
            }
            return event;
        } catch (TimeoutException e) {
            throw new AssertionError("[" + rule + "] " + what + ": no event within " + liveness.toMillis() + " ms");
        } catch (ExecutionException e) {
            throw new AssertionError("[" + rule + "] " + what + " failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** @return what {@code stage} completes with within {@code patience}; empty when nothing comes (an outcome, not a failure) */
    static <T> Optional<T> awaitMaybe(CompletionStage<T> stage, Duration patience) {
        try {
            return Optional.ofNullable(stage.toCompletableFuture().get(patience.toMillis(), TimeUnit.MILLISECONDS));
        } catch (TimeoutException | ExecutionException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    <T> Optional<T> awaitMaybe(CompletionStage<T> stage) {
        return awaitMaybe(stage, liveness);
    }

    /** @return the output of a workflow of the kit; a workflow the runtime failed is reported with its cause first */
    @SuppressWarnings("unchecked")
    <T> T awaitOutput(CompletableFuture<?> output, String rule, String what) {
        try {
            return (T) output.get(liveness.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("[" + rule + "] " + what + ": the workflow received nothing within "
                    + liveness.toMillis() + " ms (" + TckSettings.LIVENESS_MILLIS + ")");
        } catch (ExecutionException e) {
            throw Attribution.workflowFailed(rule, "the workflow", e.getCause(), what);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Gives the source time to show what it does late (a consume scheduled after a poll). */
    static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
