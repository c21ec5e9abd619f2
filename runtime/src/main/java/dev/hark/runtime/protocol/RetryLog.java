package dev.hark.runtime.protocol;

import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.slf4j.Logger;

/**
 * Logs the failed attempts of the waits' retry loops. A wait's first failure goes to WARN, which
 * tells an operator that something broke, then every {@link #EVERY}th, which tells that it still
 * is: a failing poll is retried every 30 s for as long as its source stays broken. And of those at
 * most one line per listener per interval, counting the ones it held back: when a source breaks,
 * all of its parked waits fail together. Everything not logged at WARN goes to DEBUG.
 */
public final class RetryLog {

    static final int EVERY = 10;
    static final Duration INTERVAL = Duration.ofSeconds(10);

    /** Per listener: when it last had a WARN line, and how many were held back since. */
    private static final class Budget {
        boolean used;
        long lastNanos;
        int heldBack;
    }

    private final LongSupplier nanoTime;
    private final long intervalNanos;
    private final Map<String, Budget> budgets = new ConcurrentHashMap<>();

    public RetryLog() {
        this(System::nanoTime, INTERVAL);
    }

    RetryLog(LongSupplier nanoTime, Duration interval) {
        this.nanoTime = nanoTime;
        this.intervalNanos = interval.toNanos();
    }

    /**
     * @param attempt 1 for the wait's first failure in this loop
     * @return -1 if this failure goes to DEBUG, else how many WARN-worthy failures of the listener
     *     were held back since its last WARN line
     */
    int admit(String listener, int attempt) {
        if (attempt != 1 && attempt % EVERY != 0) {
            return -1;
        }
        Budget budget = budgets.computeIfAbsent(listener, id -> new Budget());
        synchronized (budget) {
            long now = nanoTime.getAsLong();
            if (budget.used && now - budget.lastNanos < intervalNanos) {
                budget.heldBack++;
                return -1;
            }
            budget.used = true;
            budget.lastNanos = now;
            int heldBack = budget.heldBack;
            budget.heldBack = 0;
            return heldBack;
        }
    }

    /** Logs one failed attempt of a wait of {@code listener}; {@code arguments} must not end in a Throwable. */
    void attemptFailed(Logger log, String listener, int attempt, String format, Object... arguments) {
        int heldBack = admit(listener, attempt);
        if (heldBack < 0) {
            log.debug(format, arguments);
        } else if (heldBack == 0) {
            log.warn(format, arguments);
        } else {
            Object[] more = Arrays.copyOf(arguments, arguments.length + 2);
            more[arguments.length] = heldBack;
            more[arguments.length + 1] = INTERVAL.toSeconds();
            log.warn(
                    format + " ({} more failures of this listener's waits since its last such line, at DEBUG:"
                            + " at most one line per {} s)",
                    more);
        }
    }
}
