package dev.hark.runtime.cli;

import dev.hark.runtime.metrics.MetricsScrape;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;

/**
 * {@code hark serve}'s meters: a Prometheus registry (with the JVM's memory, threads, CPU and
 * uptime beside the runtime's own), rendered for {@code GET /metrics} as Prometheus text 0.0.4, or
 * as OpenMetrics 1.0 when the {@code Accept} header asks for {@code application/openmetrics-text}.
 */
public final class PrometheusEndpoint implements MetricsScrape {

    /** Prometheus's text format, the default. */
    public static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    /** OpenMetrics 1.0, for a scraper that asks for it. */
    public static final String OPEN_METRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8";

    private final PrometheusMeterRegistry registry;

    private PrometheusEndpoint(PrometheusMeterRegistry registry) {
        this.registry = registry;
    }

    /** @return a new registry with the JVM's meters bound, and its endpoint */
    public static PrometheusEndpoint create() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        return new PrometheusEndpoint(registry);
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    @Override
    public Exposition scrape(String accept) {
        String contentType = wantsOpenMetrics(accept) ? OPEN_METRICS : PROMETHEUS_TEXT;
        ByteArrayOutputStream out = new ByteArrayOutputStream(16_384);
        try {
            registry.scrape(out, contentType);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array does not fail
        }
        return new Exposition(contentType, out.toByteArray());
    }

    /** @return whether an {@code Accept} header names OpenMetrics (Prometheus sends it first when it can parse it) */
    static boolean wantsOpenMetrics(String accept) {
        return accept != null && accept.toLowerCase(Locale.ROOT).contains("application/openmetrics-text");
    }
}
