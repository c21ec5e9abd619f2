/** A listener that consumes Kafka records into workflows exactly once, shipped as a plugin. */
package dev.hark.kafka;
