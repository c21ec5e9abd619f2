package dev.hark.runtime.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One listener's meters, looked up once per wait ({@link HarkMetrics#listener}) so that the event
 * path only adds to them. {@link #NONE} records nothing.
 */
public final class ListenerMeters {

    /** Records nothing: the meters of a runtime without a registry. */
    public static final ListenerMeters NONE = new ListenerMeters(null, null, null, null, null, null);

    private final Counter checkpointed;
    private final Counter committed;
    private final Counter pollFailures;
    private final Counter commitRetries;
    private final Timer checkpointLatency;
    private final AtomicInteger parked;

    ListenerMeters(
            Counter checkpointed,
            Counter committed,
            Counter pollFailures,
            Counter commitRetries,
            Timer checkpointLatency,
            AtomicInteger parked) {
        this.checkpointed = checkpointed;
        this.committed = committed;
        this.pollFailures = pollFailures;
        this.commitRetries = commitRetries;
        this.checkpointLatency = checkpointLatency;
        this.parked = parked;
    }

    /** A wait's event was durably checkpointed, {@code nanos} after its listener delivered it. */
    public void eventCheckpointed(long nanos) {
        if (checkpointed != null) {
            checkpointed.increment();
            checkpointLatency.record(nanos, TimeUnit.NANOSECONDS);
        }
    }

    /** The listener committed a checkpointed event at its source. */
    public void eventCommitted() {
        if (committed != null) {
            committed.increment();
        }
    }

    /** A poll (or the checkpoint after it) failed; the wait polls again after a back-off. */
    public void pollFailed() {
        if (pollFailures != null) {
            pollFailures.increment();
        }
    }

    /** A commit failed and is tried again after a back-off. */
    public void commitRetried() {
        if (commitRetries != null) {
            commitRetries.increment();
        }
    }

    /** A wait called its listener's poll and is parked until the event comes. */
    public void waitParked() {
        if (parked != null) {
            parked.incrementAndGet();
        }
    }

    /** A wait parked by {@link #waitParked} is no longer: its event came, its poll failed, or it was cancelled. */
    public void waitUnparked() {
        if (parked != null) {
            parked.decrementAndGet();
        }
    }
}
