package dev.hark.kafka;

import dev.hark.api.EventContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The process's consumers, one per (bootstrap servers, group, topic): the shared
 * resource {@link KafkaListener} holds in a final field (L2.1). A consumer is created by the first
 * wait or commit that needs it and closes itself when none has needed it for a while; what it holds
 * in memory is a view of the source (Kafka keeps the committed offsets, the runtime the claims), so
 * losing it in a crash loses nothing.
 *
 * <p>Public only because {@link KafkaListener} may be loaded by another class loader than this
 * class (a test kit reloads the listener alone, as after a restart); not an API.
 */
public final class TopicConsumers {

    record Key(String bootstrapServers, String group, String topic) {}

    private static final TopicConsumers SHARED = new TopicConsumers();
    private static final long IDLE_PAUSE_MILLIS = 5;

    private final Object lock = new Object();
    private final Map<Key, TopicConsumer> consumers = new HashMap<>();
    /** the one thread that runs every consumer's rounds, while there is a consumer; else null */
    private Thread poller;
    /** the extra properties of the last wait per key: a commit without an open consumer opens it with them */
    private final Map<Key, Map<String, String>> properties = new HashMap<>();

    /** @return the process's consumers */
    public static TopicConsumers shared() {
        return SHARED;
    }

    /**
     * @param args what the wait addresses
     * @param context the wait
     * @return completes with the record offered to this wait
     */
    public CompletionStage<KafkaEvent> await(KafkaArgs args, EventContext context) {
        Key key = new Key(args.bootstrapServers(), args.group(), args.topic());
        try {
            return acquire(key, args.properties()).await(args.key(), context);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * @param event a record a workflow checkpointed
     * @return completes once Kafka records it as consumed (below the group's offset, or in its metadata)
     */
    public CompletionStage<Void> checkpointed(KafkaEvent event) {
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
            if (poller == null) {
                poller = new Thread(this::pollLoop, "hark-kafka-poller");
                poller.setDaemon(true);
                poller.setContextClassLoader(TopicConsumers.class.getClassLoader());
                poller.start();
            }
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

    /**
     * Runs the consumers' rounds, one after the other, on one thread for the whole process (a
     * consumer's client is not thread-safe, and a thread per topic would make threads grow with
     * topics); it pauses a few milliseconds when a whole round found nothing, and ends when the last
     * consumer closed.
     */
    private void pollLoop() {
        while (true) {
            List<TopicConsumer> round;
            synchronized (lock) {
                if (consumers.isEmpty()) {
                    poller = null;
                    return;
                }
                round = new ArrayList<>(consumers.values());
            }
            boolean busy = false;
            for (TopicConsumer consumer : round) {
                busy |= consumer.step();
            }
            if (!busy) {
                try {
                    Thread.sleep(IDLE_PAUSE_MILLIS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    synchronized (lock) {
                        poller = null;
                    }
                    return;
                }
            }
        }
    }

    /** @return how many consumers are open (tests) */
    int open() {
        synchronized (lock) {
            return consumers.size();
        }
    }
}
