package dev.hark.kafka;

import dev.hark.api.EventContext;
import dev.hark.api.EventListener;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Waits for a Kafka record: the next record of a topic for a consumer group, or the next one with a
 * given key. Exactly once with Kafka's cumulative, per-partition commits: a record is checkpointed
 * by at most one wait (the runtime's claim on its id, R7.1), and the group's offset of a partition
 * is committed only past the run of records workflows have checkpointed, never past a record a wait
 * still holds or nobody took, so a crash neither skips a record nor hands a taken one to another
 * workflow. Design: "Kafka" in {@code docs/ARCHITECTURE.md}.
 *
 * <p>The listener is stateless (L2.1): every wait and commit goes through the process's one
 * consumer per (bootstrap servers, group, topic), a shared client held in a final field, which
 * fetches on its own thread so that {@code pollForEvent} never blocks (L3.1).
 */
public final class KafkaListener implements EventListener<KafkaArgs, KafkaEvent> {

    private static final TopicConsumers CONSUMERS = TopicConsumers.shared();

    @Override
    public CompletionStage<KafkaEvent> pollForEvent(KafkaArgs args, EventContext context) {
        if (args == null) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("KafkaListener needs KafkaArgs"));
        }
        return CONSUMERS.await(args, context);
    }

    @Override
    public CompletionStage<Void> eventCheckpointed(KafkaEvent event, EventContext context) {
        return CONSUMERS.checkpointed(event);
    }
}
