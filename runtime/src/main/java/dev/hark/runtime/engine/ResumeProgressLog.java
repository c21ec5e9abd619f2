package dev.hark.runtime.engine;

import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells an operator how far a resumption is: a line when it begins, a line each tenth of the way or
 * every {@link #INTERVAL_NANOS 2 s}, whichever comes first (only for resumptions of at least
 * {@link #REPORTED_FROM} workflows: smaller ones are over before anyone reads a progress line), and
 * a line when every workflow waits for its events again. Restarting with 100,000 parked workflows
 * takes a while, and {@code /health} says {@code starting} until then; the log says why.
 */
final class ResumeProgressLog {

    /** Longest silence between two progress lines. */
    static final long INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(2);
    /** Resumptions smaller than this log only their first and last lines. */
    static final int REPORTED_FROM = 1_000;

    private static final Logger LOG = LoggerFactory.getLogger(ResumeProgressLog.class);

    private final Consumer<String> sink;
    private final LongSupplier nanoTime;
    /** The tenth of the way last reported; lines are written as it grows. */
    private int reportedTenth;

    private int reportedCount;
    private long reportedAt;

    /**
     * @param sink where the lines go
     * @param nanoTime the clock that spaces them, {@link System#nanoTime} but in tests
     */
    ResumeProgressLog(Consumer<String> sink, LongSupplier nanoTime) {
        this.sink = sink;
        this.nanoTime = nanoTime;
    }

    /** @return lines at INFO in the runtime's log */
    static ResumeProgressLog toLog() {
        return new ResumeProgressLog(LOG::info, System::nanoTime);
    }

    synchronized void began(int total) {
        reportedAt = nanoTime.getAsLong();
        if (total > 0) {
            sink.accept("resuming " + count(total) + " workflows; until each waits for its events again, an event sent"
                    + " to it is answered 'retry' (503) and /health says starting");
        }
    }

    /** {@code resumed} of {@code total} workflows wait for their events again (called as each does, in any order). */
    synchronized void resumed(int resumed, int total) {
        if (total < REPORTED_FROM || resumed <= reportedCount || resumed >= total) {
            return; // the last line is finished()'s
        }
        int tenth = (int) (resumed * 10L / total);
        long now = nanoTime.getAsLong();
        if (tenth > reportedTenth || now - reportedAt >= INTERVAL_NANOS) {
            reportedTenth = Math.max(reportedTenth, tenth);
            reportedCount = resumed;
            reportedAt = now;
            sink.accept(line(resumed, total));
        }
    }

    /** The resumption is over: every workflow re-parked, or it stopped for {@code failure}. */
    synchronized void finished(int resumed, int total, Throwable failure) {
        if (failure != null) {
            sink.accept("resuming stopped after " + count(resumed) + " of " + count(total) + " workflows: " + failure);
        } else if (total > 0) {
            sink.accept(line(resumed, total) + "; every one waits for its events again");
        }
    }

    private static String line(int resumed, int total) {
        return "resumed " + count(resumed) + " of " + count(total) + " workflows ("
                + (int) (resumed * 100L / Math.max(1, total)) + "%)";
    }

    /** 100000 as 100,000. */
    private static String count(int n) {
        return String.format(Locale.ROOT, "%,d", n);
    }
}
