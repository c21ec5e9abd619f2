/**
 * The runtime's meters (Micrometer): what it counts and times, and how {@code GET /metrics}
 * renders them. Without a registry ({@link dev.hark.runtime.metrics.HarkMetrics#NONE}) every
 * recording is a no-op, so an embedding application that does not ask for metrics pays nothing.
 */
package dev.hark.runtime.metrics;
