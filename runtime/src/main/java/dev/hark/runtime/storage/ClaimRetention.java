package dev.hark.runtime.storage;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How long the store keeps a claim after the occurrence's commit was recorded [R7.2]. A claim whose
 * event is checkpointed but not yet committed is always kept: its source may still redeliver it.
 *
 * <p>The default is {@value #DEFAULT_DAYS} days. After its commit, a listener that obeys L4.4 never
 * delivers the occurrence again, so the claim guards only against sources that do anyway (a
 * consumer group reset to an old offset, a restored backup of a queue, a client retrying with an
 * idempotency key): 30 days is longer than the longest redelivery window of the usual sources
 * (Kafka keeps committed offsets 7 days by default, SQS keeps messages at most 14 days, HTTP APIs
 * honour idempotency keys for a day) while bounding the table to a month of events. Keeping claims
 * {@linkplain #forever() forever} makes the guarantee unconditional at the price of a table that
 * only grows.
 *
 * @param keepFor how long a committed claim is kept, or empty to keep claims forever
 */
public record ClaimRetention(Optional<Duration> keepFor) {

    public static final int DEFAULT_DAYS = 30;
    private static final Duration MAX_SWEEP_PERIOD = Duration.ofHours(1);
    private static final Duration MIN_SWEEP_PERIOD = Duration.ofSeconds(1);

    public ClaimRetention {
        Objects.requireNonNull(keepFor, "keepFor");
        keepFor.ifPresent(d -> {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("claim retention must be positive, was " + d);
            }
        });
    }

    /** {@value #DEFAULT_DAYS} days. */
    public static ClaimRetention defaults() {
        return keep(Duration.ofDays(DEFAULT_DAYS));
    }

    public static ClaimRetention keep(Duration keepFor) {
        return new ClaimRetention(Optional.of(keepFor));
    }

    public static ClaimRetention forever() {
        return new ClaimRetention(Optional.empty());
    }

    /** @return how often to sweep: a quarter of the retention, between a second and an hour */
    public Optional<Duration> sweepPeriod() {
        return keepFor.map(d -> {
            Duration quarter = d.dividedBy(4);
            return quarter.compareTo(MAX_SWEEP_PERIOD) > 0
                    ? MAX_SWEEP_PERIOD
                    : quarter.compareTo(MIN_SWEEP_PERIOD) < 0 ? MIN_SWEEP_PERIOD : quarter;
        });
    }

    @Override
    public String toString() {
        return keepFor.map(Duration::toString).orElse("forever");
    }
}
