package dev.hark.runtime.event;

import org.slf4j.Logger;

/**
 * Logs the failed attempts of a retry loop: the first at WARN, which tells an operator that
 * something broke, then every {@link #EVERY}th, which tells that it still is; the others at DEBUG.
 * A poll that fails is retried every 30 s for as long as its source stays broken, and one line per
 * try and wait would bury everything else in the log.
 */
final class RetryLog {

    static final int EVERY = 10;

    private RetryLog() {}

    /** @param attempt 1 for the first failure of the loop */
    static boolean warns(int attempt) {
        return attempt == 1 || attempt % EVERY == 0;
    }

    static void attemptFailed(Logger log, int attempt, String format, Object... arguments) {
        if (warns(attempt)) {
            log.warn(format, arguments);
        } else {
            log.debug(format, arguments);
        }
    }
}
