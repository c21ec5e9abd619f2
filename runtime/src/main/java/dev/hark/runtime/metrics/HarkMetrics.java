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
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * The runtime's meters over one Micrometer registry. Names are Micrometer's dotted names; a
 * Prometheus registry renders them with base units and {@code _total} suffixes, e.g.
 * {@code hark.events.checkpointed} as {@code hark_events_checkpointed_total{listener="…"}}. The
 * README's "Metrics" section lists them all.
 *
 * <p>Meters with a label are registered once per label value and kept here: a wait looks up its
 * listener's meters once ({@link #listener}), an HTTP reply reads an array by status, so the hot
 * paths only add. {@link #NONE} records nothing.
 */
public final class HarkMetrics {

    /** Records nothing: the default of an embedded runtime. */
    public static final HarkMetrics NONE = new HarkMetrics(null);

    private final MeterRegistry registry;
    private final Map<String, ListenerMeters> listeners = new ConcurrentHashMap<>();
    private final Map<String, Counter> finished = new ConcurrentHashMap<>();
    /** by status code: an array read on the I/O thread, no boxing */
    private final AtomicReferenceArray<Counter> httpReplies = new AtomicReferenceArray<>(600);
    /** What the gauges and function counters read: Micrometer holds those weakly. */
    private final List<Object> sources = new CopyOnWriteArrayList<>();
    /** Every meter registered here, removed from the registry by {@link #close}. */
    private final CopyOnWriteArrayList<Meter> meters = new CopyOnWriteArrayList<>();

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

    /** @return the meters of listener {@code id}, registered on first use; {@link ListenerMeters#NONE} without a registry */
    public ListenerMeters listener(String id) {
        return registry == null ? ListenerMeters.NONE : listeners.computeIfAbsent(id, this::registerListener);
    }

    private ListenerMeters registerListener(String listener) {
        AtomicInteger parked = new AtomicInteger();
        registered(Gauge.builder("hark.waits.parked", parked, AtomicInteger::get)
                .description("Waits parked on their listener's poll, by listener")
                .tag("listener", listener)
                .register(registry));
        return new ListenerMeters(
                counter("hark.events.checkpointed", "Events checkpointed durably, by listener", listener),
                counter("hark.events.committed", "Events committed at their source, by listener", listener),
                counter(
                        "hark.poll.failures",
                        "Failed polls and refused checkpoints, by listener (each is retried)",
                        listener),
                counter("hark.commit.retries", "Commits retried after a failure, by listener", listener),
                registered(Timer.builder("hark.checkpoint.duration")
                        .description("From a listener's delivery of an event to its durable checkpoint")
                        .tag("listener", listener)
                        .publishPercentileHistogram()
                        .minimumExpectedValue(Duration.ofNanos(10_000))
                        .maximumExpectedValue(Duration.ofSeconds(30))
                        .register(registry)),
                parked);
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
        if (registry == null || status < 0 || status >= httpReplies.length()) {
            return;
        }
        Counter counter = httpReplies.get(status);
        if (counter == null) {
            httpReplies.compareAndSet(
                    status,
                    null,
                    Counter.builder("hark.http.replies")
                            .description("HTTP replies, by status code")
                            .tag("status", Integer.toString(status))
                            .register(registry)); // the registry hands back the one meter per tag set
            counter = httpReplies.get(status);
            meters.addIfAbsent(counter);
        }
        counter.increment();
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

    private Counter counter(String name, String description, String listener) {
        return registered(Counter.builder(name)
                .description(description)
                .tag("listener", listener)
                .register(registry));
    }
}
