package dev.hark.runtime.concurrent;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** What the runtime does with futures in more than one place. */
public final class Futures {

    /**
     * The one exception every future the runtime releases completes with. A {@code new
     * CancellationException()} per release fills in a stack trace each time, and closing a runtime
     * releases one future per parked wait: with a million waits that was most of {@code close()}.
     * Same class and (null) message as {@link CompletableFuture#cancel}'s; no stack trace, which
     * named only the releasing thread's frames anyway. Shared: never add suppressed exceptions to it.
     */
    private static final CancellationException RELEASED = stackless(new CancellationException());

    private Futures() {}

    /**
     * Cancels a future the runtime owns the way {@link CompletableFuture#cancel} does
     * ({@code isCancelled()} is then true, dependents fail with a {@link CancellationException}),
     * without building an exception per call.
     *
     * @return whether the future is cancelled now (false if it had completed otherwise before)
     */
    public static boolean release(CompletableFuture<?> future) {
        return future.completeExceptionally(RELEASED) || future.isCancelled();
    }

    private static <T extends Throwable> T stackless(T failure) {
        failure.setStackTrace(new StackTraceElement[0]);
        return failure;
    }

    /**
     * @return the failure inside the {@link CompletionException}s and {@link ExecutionException}s
     *     that futures wrap around it, or {@code failure} itself when it is not such a wrapper
     */
    public static Throwable unwrap(Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }
}
