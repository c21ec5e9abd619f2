package dev.hark.kafka;

import dev.hark.api.EventContext;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The process's consumers, one per (bootstrap servers, group, topic, extra properties): the shared
 * resource {@link KafkaListener} holds in a final field (L2.1). A consumer is created by the first
 * wait or commit that needs it and closes itself when none has needed it for a while; what it holds
 * in memory is a view of the source (Kafka keeps the committed offsets, the runtime the claims), so
 * losing it in a crash loses nothing.
 */
final class TopicConsumers {

    record Key(String bootstrapServers, String group, String topic) {}

    private static final TopicConsumers SHARED = new TopicConsumers();

    private final Object lock = new Object();
    private final Map<Key, TopicConsumer> consumers = new HashMap<>();
    /** the extra properties of the last wait per key: a commit without an open consumer opens it with them */
    private final Map<Key, Map<String, String>> properties = new HashMap<>();

    static TopicConsumers shared() {
        return SHARED;
    }

    CompletionStage<KafkaEvent> await(KafkaArgs args, EventContext context) {
        Key key = new Key(args.bootstrapServers(), args.group(), args.topic());
        try {
            return acquire(key, args.properties()).await(args.key(), context);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    CompletionStage<Void> checkpointed(KafkaEvent event) {
        Key key = new Key(event.bootstrapServers(), event.group(), event.topic());
        try {
            return acquire(key, null).checkpointed(event);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** @return a consumer that counted one more use */
    private TopicConsumer acquire(Key key, Map<String, String> extra) {
        synchronized (lock) {
            if (extra != null) {
                properties.put(key, extra);
            }
            TopicConsumer consumer = consumers.get(key);
            if (consumer != null && consumer.acquire()) {
                return consumer;
            }
            consumer = new TopicConsumer(key, properties.getOrDefault(key, Map.of()), this);
            consumer.acquire();
            consumers.put(key, consumer);
            consumer.start();
            return consumer;
        }
    }

    /**
     * Called by a consumer that closes (it refuses new uses already): it is no longer handed out.
     */
    void retire(Key key, TopicConsumer consumer) {
        synchronized (lock) {
            consumers.remove(key, consumer);
        }
    }

    /** @return how many consumers are open (tests) */
    int open() {
        synchronized (lock) {
            return consumers.size();
        }
    }
}
