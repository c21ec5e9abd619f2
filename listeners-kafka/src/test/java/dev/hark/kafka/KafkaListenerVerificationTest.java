package dev.hark.kafka;

import dev.hark.tck.ListenerVerification;
import dev.hark.tck.Publication;
import dev.hark.tck.SourceFixture;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * The whole TCK against a real broker (KRaft, in a child JVM): every channel is a fresh topic of two
 * partitions read by its own consumer group; publishing is a plain producer send, alternating the
 * partitions; "committed" is what the group's committed offsets cover. Nothing is declared
 * unsupported: a topic is a durable channel of many events.
 */
class KafkaListenerVerificationTest extends ListenerVerification<KafkaArgs, KafkaEvent> {

    static final int PARTITIONS = 2;
    private static final AtomicInteger TOPICS = new AtomicInteger();

    @Override
    protected Class<KafkaListener> listener() {
        return KafkaListener.class;
    }

    @Override
    protected SourceFixture<KafkaArgs> createFixture() {
        return new TopicFixture(KafkaBroker.shared());
    }

    /** Channels are topics; an event is a record; committed = below the group's committed offset. */
    static final class TopicFixture implements SourceFixture<KafkaArgs> {
        private final KafkaBroker broker;
        private final Map<String, Set<RecordMetadata>> published = new ConcurrentHashMap<>();
        private final Map<String, AtomicInteger> next = new ConcurrentHashMap<>();

        TopicFixture(KafkaBroker broker) {
            this.broker = broker;
        }

        @Override
        public KafkaArgs newChannel(String name) {
            String topic = "tck-" + name + "-" + TOPICS.incrementAndGet();
            broker.createTopic(topic, PARTITIONS);
            return KafkaArgs.of(broker.bootstrap(), topic, "group-" + topic);
        }

        @Override
        public CompletionStage<String> publish(KafkaArgs channel, String payload, Publication publication)
                throws Exception {
            int partition = next.computeIfAbsent(channel.topic(), t -> new AtomicInteger())
                            .getAndIncrement()
                    % PARTITIONS;
            RecordMetadata sent = broker.producer()
                    .send(new ProducerRecord<>(channel.topic(), partition, null, payload))
                    .get(30, TimeUnit.SECONDS);
            published
                    .computeIfAbsent(channel.topic(), t -> ConcurrentHashMap.newKeySet())
                    .add(sent);
            return CompletableFuture.completedFuture(
                    KafkaEvent.idOf(sent.topic(), sent.partition(), sent.offset(), channel.group()));
        }

        @Override
        public Optional<Set<String>> committed(KafkaArgs channel) {
            // Consumed at Kafka: below the group's offset, or listed in that commit's metadata.
            Map<Integer, OffsetAndMetadata> marks = broker.committedMarks(channel.group(), channel.topic());
            Set<String> ids = new HashSet<>();
            for (RecordMetadata sent : published.getOrDefault(channel.topic(), Set.of())) {
                OffsetAndMetadata mark = marks.get(sent.partition());
                if (mark != null
                        && (sent.offset() < mark.offset()
                                || PartitionLedger.decode(mark.offset(), mark.metadata())
                                        .contains(sent.offset()))) {
                    ids.add(KafkaEvent.idOf(sent.topic(), sent.partition(), sent.offset(), channel.group()));
                }
            }
            return Optional.of(ids);
        }
    }
}
