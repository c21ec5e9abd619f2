package dev.hark.runtime.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * The runtime's meters over one Micrometer registry. Names are Micrometer's dotted names; a
 * Prometheus registry renders them with base units and {@code _total} suffixes, e.g.
 * {@code hark.events.checkpointed} as {@code hark_events_checkpointed_total{listener="…"}}. The
 * README's "Metrics" section lists them all.
 *
 * <p>Meters with a label are looked up once per label value and kept here, so that the hot paths
 * (a checkpoint, an HTTP reply) cost a map read and an add. {@link #NONE} records nothing.
 */
public final class HarkMetrics {

    /** Records nothing: the default of an embedded runtime. */
    public static final HarkMetrics NONE = new HarkMetrics(null);

    private final MeterRegistry registry;
    private final Map<String, Counter> checkpointed = new ConcurrentHashMap<>();
    private final Map<String, Counter> committed = new ConcurrentHashMap<>();
    private final Map<String, Counter> pollFailures = new ConcurrentHashMap<>();
    private final Map<String, Counter> commitRetries = new ConcurrentHashMap<>();
    private final Map<String, Timer> checkpointLatency = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> parked = new ConcurrentHashMap<>();
    private final Map<String, Counter> finished = new ConcurrentHashMap<>();
    private final Map<Integer, Counter> httpReplies = new ConcurrentHashMap<>();
    /** What the gauges and function counters read: Micrometer holds those weakly. */
    private final List<Object> sources = new CopyOnWriteArrayList<>();
    /** Every meter registered here, removed from the registry by {@link #close}. */
    private final List<Meter> meters = new CopyOnWriteArrayList<>();

    private final DistributionSummary batchSize;
    private final Timer commitLatency;

    private HarkMetrics(MeterRegistry registry) {
        this.registry = registry;
        if (registry == null) {
            this.batchSize = null;
            this.commitLatency = null;
            return;
        }
        this.batchSize = registered(DistributionSummary.builder("hark.store.batch.size")
                .description("Writes per store transaction (group commit: one flush to disk for the batch)")
                .publishPercentileHistogram()
                .minimumExpectedValue(1.0)
                .maximumExpectedValue(10_000.0)
                .register(registry));
        this.commitLatency = registered(Timer.builder("hark.store.commit.duration")
                .description("Time to commit one store transaction, its fsync included")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(10_000))
                .maximumExpectedValue(Duration.ofSeconds(10))
                .register(registry));
    }

    /** @return meters over {@code registry}, or {@link #NONE} for null */
    public static HarkMetrics of(MeterRegistry registry) {
        return registry == null ? NONE : new HarkMetrics(registry);
    }

    /**
     * Removes this runtime's meters from the registry: a runtime opened later on the same registry
     * registers its own, instead of finding these bound to a closed runtime.
     */
    public void close() {
        if (registry != null) {
            meters.forEach(registry::remove);
            meters.clear();
            sources.clear();
        }
    }

    private <M extends Meter> M registered(M meter) {
        meters.add(meter);
        return meter;
    }

    /** @return whether this records anything */
    public boolean enabled() {
        return registry != null;
    }

    /** A wait's event was durably checkpointed, {@code nanos} after its listener delivered it. */
    public void eventCheckpointed(String listener, long nanos) {
        if (registry == null) {
            return;
        }
        counter(checkpointed, listener, "hark.events.checkpointed", "Events checkpointed durably, by listener")
                .increment();
        checkpointLatency
                .computeIfAbsent(
                        listener,
                        l -> registered(Timer.builder("hark.checkpoint.duration")
                                .description("From a listener's delivery of an event to its durable checkpoint")
                                .tag("listener", l)
                                .publishPercentileHistogram()
                                .minimumExpectedValue(Duration.ofNanos(10_000))
                                .maximumExpectedValue(Duration.ofSeconds(30))
                                .register(registry)))
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    /** A listener committed a checkpointed event at its source. */
    public void eventCommitted(String listener) {
        if (registry != null) {
            counter(committed, listener, "hark.events.committed", "Events committed at their source, by listener")
                    .increment();
        }
    }

    /** A poll (or the checkpoint after it) failed; the wait polls again after a back-off. */
    public void pollFailed(String listener) {
        if (registry != null) {
            counter(
                            pollFailures,
                            listener,
                            "hark.poll.failures",
                            "Failed polls and refused checkpoints, by listener (each is retried)")
                    .increment();
        }
    }

    /** A commit failed and is tried again after a back-off. */
    public void commitRetried(String listener) {
        if (registry != null) {
            counter(commitRetries, listener, "hark.commit.retries", "Commits retried after a failure, by listener")
                    .increment();
        }
    }

    /** A wait called its listener's poll and is parked until the event comes. */
    public void waitParked(String listener) {
        if (registry != null) {
            parkedCount(listener).incrementAndGet();
        }
    }

    /** A wait parked by {@link #waitParked} is no longer: its event came, its poll failed, or it was cancelled. */
    public void waitUnparked(String listener) {
        if (registry != null) {
            parkedCount(listener).decrementAndGet();
        }
    }

    private AtomicInteger parkedCount(String listener) {
        return parked.computeIfAbsent(listener, l -> {
            AtomicInteger count = new AtomicInteger();
            registered(Gauge.builder("hark.waits.parked", count, AtomicInteger::get)
                    .description("Waits parked on their listener's poll, by listener")
                    .tag("listener", l)
                    .register(registry));
            return count;
        });
    }

    /** A workflow run in this runtime ended as {@code status} (SUCCESSFUL, FAILED or CANCELED). */
    public void workflowFinished(String status) {
        if (registry != null) {
            finished.computeIfAbsent(
                            status,
                            s -> registered(Counter.builder("hark.workflows.finished")
                                    .description(
                                            "Workflows that ended in this runtime since it started, by final status")
                                    .tag("status", s.toLowerCase(Locale.ROOT))
                                    .register(registry)))
                    .increment();
        }
    }

    /** The HTTP server answered a request with {@code status}. */
    public void httpReply(int status) {
        if (registry != null) {
            httpReplies
                    .computeIfAbsent(
                            status,
                            s -> registered(Counter.builder("hark.http.replies")
                                    .description("HTTP replies, by status code")
                                    .tag("status", Integer.toString(s))
                                    .register(registry)))
                    .increment();
        }
    }

    /** The store committed a transaction of {@code writes} writes in {@code nanos}. */
    public void storeBatch(int writes, long nanos) {
        if (registry != null) {
            batchSize.record(writes);
            commitLatency.record(nanos, TimeUnit.NANOSECONDS);
        }
    }

    /** Registers a gauge read at each scrape; {@code read} must be cheap (no store scan). */
    public <T> void gauge(String name, String description, T source, ToDoubleFunction<T> read) {
        if (registry != null) {
            sources.add(source);
            registered(Gauge.builder(name, source, read)
                    .description(description)
                    .strongReference(true)
                    .register(registry));
        }
    }

    /** Registers a counter whose value is kept elsewhere (a monotonic count) and read at each scrape. */
    public void functionCounter(String name, String description, Supplier<Number> read) {
        if (registry != null) {
            sources.add(read);
            registered(FunctionCounter.builder(name, read, r -> r.get().doubleValue())
                    .description(description)
                    .register(registry));
        }
    }

    private Counter counter(Map<String, Counter> byListener, String listener, String name, String description) {
        return byListener.computeIfAbsent(
                listener,
                l -> registered(Counter.builder(name)
                        .description(description)
                        .tag("listener", l)
                        .register(registry)));
    }
}
