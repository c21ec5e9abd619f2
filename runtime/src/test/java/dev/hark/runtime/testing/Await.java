package dev.hark.runtime.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Polls, every 10 ms, for something another thread or process brings about; 30 s unless told otherwise. The one
 * place tests wait for a condition, so that none hand-writes its own sleep-and-poll loop.
 */
public final class Await {

    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    private static final long POLL_MILLIS = 10;

    /** Reads what a test waits on; may throw, as an HTTP call or a file read does. */
    @FunctionalInterface
    public interface Reading<T> {
        T read() throws Exception;
    }

    private Await() {}

    /** @param state what to show when the condition never holds: what was expected and what was seen */
    public static void until(BooleanSupplier condition, Supplier<String> state) throws InterruptedException {
        until(DEFAULT_TIMEOUT, condition, state);
    }

    /** @param state what to show when the condition never holds: what was expected and what was seen */
    public static void until(Duration timeout, BooleanSupplier condition, Supplier<String> state)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            pauseOrGiveUp(deadline, timeout, state);
        }
    }

    /**
     * Reads until a reading is {@code done} and returns that reading. A reading that throws ends the wait with its
     * exception: only what {@code done} rejects is read again.
     *
     * @param state what to show, given the last reading, when no reading is ever done
     */
    public static <T> T value(Reading<T> reading, Predicate<? super T> done, Function<? super T, String> state)
            throws Exception {
        return value(DEFAULT_TIMEOUT, reading, done, state);
    }

    /** {@link #value(Reading, Predicate, Function)} with a timeout of its own. */
    public static <T> T value(
            Duration timeout, Reading<T> reading, Predicate<? super T> done, Function<? super T, String> state)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        T value = reading.read();
        while (!done.test(value)) {
            T seen = value;
            pauseOrGiveUp(deadline, timeout, () -> state.apply(seen));
            value = reading.read();
        }
        return value;
    }

    private static void pauseOrGiveUp(long deadline, Duration timeout, Supplier<String> state)
            throws InterruptedException {
        if (System.nanoTime() - deadline > 0) {
            throw new AssertionError("never happened within " + describe(timeout) + ": " + state.get());
        }
        Thread.sleep(POLL_MILLIS);
    }

    private static String describe(Duration timeout) {
        return timeout.toMillis() % 1_000 == 0 ? timeout.toSeconds() + " s" : timeout.toMillis() + " ms";
    }
}
