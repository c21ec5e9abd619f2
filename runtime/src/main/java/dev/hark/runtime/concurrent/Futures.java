package dev.hark.runtime.concurrent;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** What the runtime does with futures in more than one place. */
public final class Futures {

    private Futures() {}

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
