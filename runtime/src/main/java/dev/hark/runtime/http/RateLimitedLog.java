package dev.hark.runtime.http;

import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;

/**
 * A warning logged at most once per interval; the ones suppressed meanwhile are counted in the
 * next one. For conditions that can repeat thousands of times a second (accept failures while the
 * process is out of file descriptors, connections refused over the cap): one line each would flood
 * the log and cost the CPU the server needs to recover.
 */
final class RateLimitedLog {

    private final Logger log;
    private final long intervalNanos;
    private long lastNanos;
    private boolean logged;
    private int suppressed;

    RateLimitedLog(Logger log, long interval, TimeUnit unit) {
        this.log = log;
        this.intervalNanos = unit.toNanos(interval);
    }

    /** Logs {@code message} (without a stack trace) unless a line was logged less than an interval ago. */
    void warn(String message) {
        long now = System.nanoTime();
        int before;
        synchronized (this) {
            if (logged && now - lastNanos < intervalNanos) {
                suppressed++;
                return;
            }
            logged = true;
            lastNanos = now;
            before = suppressed;
            suppressed = 0;
        }
        log.warn(
                before == 0
                        ? message
                        : message + " (and " + before + " more like it since the last such line, not"
                                + " logged: at most one line per " + TimeUnit.NANOSECONDS.toSeconds(intervalNanos)
                                + " s)");
    }
}
