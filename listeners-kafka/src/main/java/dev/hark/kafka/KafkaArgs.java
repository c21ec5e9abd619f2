package dev.hark.kafka;

import java.util.Map;
import java.util.Objects;

/**
 * What a wait on {@link KafkaListener} addresses: a topic, read by a consumer group of a cluster,
 * optionally only the records with one key.
 *
 * @param bootstrapServers the cluster's {@code bootstrap.servers}, e.g. {@code "127.0.0.1:9092"}
 * @param topic the topic to consume
 * @param group the consumer group ({@code group.id}) whose committed offsets record what workflows took
 * @param key when not null, the wait takes only a record whose key (as UTF-8 text) equals it: "the
 *     record about order 42"; when null, the next record of the topic
 * @param properties extra consumer properties (security, timeouts), or null; the listener's own
 *     settings ({@code group.id}, deserializers, {@code enable.auto.commit=false}) cannot be changed
 */
public record KafkaArgs(
        String bootstrapServers, String topic, String group, String key, Map<String, String> properties) {

    public KafkaArgs {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(group, "group");
        properties = properties == null ? Map.of() : Map.copyOf(properties);
    }

    /** @return a wait for the next record of {@code topic} in {@code group} */
    public static KafkaArgs of(String bootstrapServers, String topic, String group) {
        return new KafkaArgs(bootstrapServers, topic, group, null, Map.of());
    }

    /** @return the same wait, taking only the record whose key is {@code recordKey} */
    public KafkaArgs withKey(String recordKey) {
        return new KafkaArgs(bootstrapServers, topic, group, recordKey, properties);
    }

    /** @return the same wait with these extra consumer properties */
    public KafkaArgs withProperties(Map<String, String> extra) {
        return new KafkaArgs(bootstrapServers, topic, group, key, extra);
    }
}
