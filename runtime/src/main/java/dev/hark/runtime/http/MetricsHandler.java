package dev.hark.runtime.http;

import dev.hark.runtime.metrics.MetricsScrape;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /metrics}: the runtime's meters in the format the scrape renders, chosen by the
 * request's {@code Accept} header (Prometheus text 0.0.4 by default, OpenMetrics when asked for
 * {@code application/openmetrics-text} with {@code hark serve}). Served with the admin API, under the
 * admin scope once credentials are configured.
 */
final class MetricsHandler {

    static final String PATH = "/metrics";

    private static final Logger LOG = LoggerFactory.getLogger(MetricsHandler.class);

    private final MetricsScrape scrape;

    MetricsHandler(MetricsScrape scrape) {
        this.scrape = scrape;
    }

    void handle(HttpCall call) {
        if (!call.method().equals("GET")) {
            call.reply(405, Map.of("Allow", "GET"), HttpExchanges.error("method_not_allowed", "use GET " + PATH, null));
            return;
        }
        MetricsScrape.Exposition exposition;
        try {
            exposition = scrape.scrape(call.header("Accept"));
        } catch (RuntimeException | LinkageError e) {
            LOG.warn("Rendering the metrics failed", e);
            call.reply(500, HttpExchanges.error("metrics_failed", "rendering the metrics failed: " + e, null));
            return;
        }
        call.reply(200, Map.of("Content-Type", exposition.contentType()), exposition.body());
    }
}
