package dev.hark.kafka.demo;

import dev.hark.kafka.KafkaArgs;
import dev.hark.kafka.KafkaEvent;
import dev.hark.kafka.KafkaListener;
import dev.hark.workflow.Dag;
import dev.hark.workflow.Node;
import dev.hark.workflow.WorkflowDefinition;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code kafka-orders}: takes {@code count} records of a topic and returns their ids. Input:
 * {@code {"bootstrap": "...", "topic": "...", "group": "...", "count": 3, "key": null}}. Packed by
 * {@code KafkaServeIT} into the Kafka plugin's folder, as a user drops a definition next to the plugin.
 */
public final class KafkaOrdersDefinition implements WorkflowDefinition {

    @Override
    public String name() {
        return "kafka-orders";
    }

    @Override
    public Node<?> build(Map<String, Object> input) {
        KafkaArgs args = new KafkaArgs(
                (String) input.get("bootstrap"),
                (String) input.get("topic"),
                (String) input.get("group"),
                (String) input.get("key"),
                Map.of());
        int count = ((Number) input.getOrDefault("count", 1)).intValue();
        Node<List<String>> taken =
                Dag.task(KafkaOrdersDefinition::first).bind(Dag.waitForEvent(KafkaListener.class, args));
        for (int i = 1; i < count; i++) {
            taken = Dag.task(KafkaOrdersDefinition::append).bind(taken, Dag.waitForEvent(KafkaListener.class, args));
        }
        return taken;
    }

    /** The first record's id. */
    public static List<String> first(KafkaEvent event) {
        return List.of(event.id());
    }

    /** The ids so far and one more. */
    public static List<String> append(List<String> so, KafkaEvent event) {
        List<String> ids = new ArrayList<>(so);
        ids.add(event.id());
        return ids;
    }
}
