package dev.hark.kafka;

import dev.hark.api.Event;
import java.util.Map;
import java.util.Objects;

/**
 * One Kafka record taken by a workflow.
 *
 * @param bootstrapServers the cluster it was read from (the commit goes there)
 * @param group the consumer group that took it
 * @param topic its topic
 * @param partition its partition
 * @param offset its offset in the partition
 * @param key its key as UTF-8 text, or null
 * @param value its value: the JSON value as plain data ({@code Map}, {@code List}, {@code String},
 *     {@code Number}, {@code Boolean}) when the record's value parses as JSON, else the text; null for
 *     a record without a value
 * @param headers its headers, values as UTF-8 text (the last one of a repeated header)
 * @param timestamp its timestamp, milliseconds since the epoch
 */
public record KafkaEvent(
        String bootstrapServers,
        String group,
        String topic,
        int partition,
        long offset,
        String key,
        Object value,
        Map<String, String> headers,
        long timestamp)
        implements Event {

    public KafkaEvent {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(topic, "topic");
        headers = headers == null ? Map.of() : headers;
    }

    /**
     * {@code topic-partition-offset@group}: stable across redeliveries [L3.5]. The group is part of
     * it because two groups consume a topic independently: a record taken through one group must not
     * be refused to a wait of another by the runtime's claims [R7.1].
     */
    @Override
    public String id() {
        return idOf(topic, partition, offset, group);
    }

    static String idOf(String topic, int partition, long offset, String group) {
        return topic + "-" + partition + "-" + offset + "@" + group;
    }
}
