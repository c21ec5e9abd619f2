package dev.hark.runtime.metrics;

/**
 * Renders a registry's meters for {@code GET /metrics}. The runtime depends on Micrometer's core
 * only; the exposition format (Prometheus text, OpenMetrics) is the choice of whoever builds the
 * registry, as {@code hark serve} does with Micrometer's Prometheus registry.
 */
@FunctionalInterface
public interface MetricsScrape {

    /**
     * @param accept the request's {@code Accept} header, or null: chooses the format
     * @return the exposition and its media type
     */
    Exposition scrape(String accept);

    /** One rendering of the meters. */
    record Exposition(String contentType, byte[] body) {}
}
