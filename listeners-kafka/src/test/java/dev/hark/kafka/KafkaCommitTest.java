package dev.hark.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * The offset tracking against a real broker, through direct calls of the listener: out-of-order
 * checkpoints move the group's offset only past the contiguous run and record the others in the
 * commit's metadata, a consumer started anew never offers those again, a cancelled or refused wait
 * gives its record back, the key filter, and a restart that recommits before the record is fetched
 * (R5.2).
 */
class KafkaCommitTest {

    private static final AtomicInteger TOPICS = new AtomicInteger();
    private final KafkaBroker broker = KafkaBroker.shared();
    private final KafkaListener listener = new KafkaListener();

    private KafkaArgs topic(int partitions) {
        String topic = "commit-" + TOPICS.incrementAndGet();
        broker.createTopic(topic, partitions);
        return KafkaArgs.of(broker.bootstrap(), topic, "g-" + topic);
    }

    private void publish(KafkaArgs args, int partition, String key, String value) throws Exception {
        broker.producer()
                .send(new ProducerRecord<>(args.topic(), partition, key, value))
                .get(30, TimeUnit.SECONDS);
    }

    private KafkaEvent poll(KafkaArgs args, TestContext context) throws Exception {
        return listener.pollForEvent(args, context).toCompletableFuture().get(20, TimeUnit.SECONDS);
    }

    /** A poll answered within {@code millis}, well before an unanswered offer would expire by itself. */
    private KafkaEvent pollWithin(KafkaArgs args, TestContext context, long millis) throws Exception {
        return listener.pollForEvent(args, context).toCompletableFuture().get(millis, TimeUnit.MILLISECONDS);
    }

    private long committed(KafkaArgs args) {
        return broker.committed(args.group(), args.topic(), 1).get(0);
    }

    @Test
    void outOfOrderCheckpointsCommitOnlyPastTheLowestRecordNotCheckpointed() throws Exception {
        KafkaArgs args = topic(1);
        for (int i = 0; i < 3; i++) {
            publish(args, 0, null, "{\"n\": " + i + "}");
        }
        List<KafkaEvent> events = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            events.add(poll(args, new TestContext("w" + i)));
        }
        Set<Long> offsets = new HashSet<>();
        events.forEach(e -> offsets.add(e.offset()));
        assertEquals(Set.of(0L, 1L, 2L), offsets, "three waits, three different records");
        KafkaEvent first =
                events.stream().filter(e -> e.offset() == 0).findFirst().orElseThrow();
        assertEquals(Map.of("n", 0), first.value(), "a JSON value is plain data");
        commit(events, 2).get(20, TimeUnit.SECONDS);
        commit(events, 1).get(20, TimeUnit.SECONDS);
        assertEquals(
                0,
                committed(args),
                "offsets 1 and 2 are checkpointed, 0 is not: the group's offset must stay at 0 (1 and 2 are in"
                        + " its metadata)");
        assertEquals(Set.of(1L, 2L), doneAbove(args), "the commits of 1 and 2 completed: Kafka must record them");
        commit(events, 0).get(20, TimeUnit.SECONDS);
        assertEquals(3, committed(args));
        // idempotent [L4.2]
        commit(events, 1).get(20, TimeUnit.SECONDS);
        assertEquals(3, committed(args));
    }

    /** @return the offsets above the committed one that the commit's metadata records as checkpointed */
    private Set<Long> doneAbove(KafkaArgs args) {
        OffsetAndMetadata mark =
                broker.committedMarks(args.group(), args.topic()).get(0);
        return mark == null ? Set.of() : PartitionLedger.decode(mark.offset(), mark.metadata());
    }

    @Test
    void aConsumerStartedAnewNeverOffersWhatTheMetadataRecordsAsCheckpointed() throws Exception {
        KafkaArgs args = topic(1);
        for (int i = 0; i < 4; i++) {
            publish(args, 0, null, "r" + i);
        }
        List<KafkaEvent> events = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            events.add(poll(args, new TestContext("w" + i)));
        }
        commit(events, 1).get(20, TimeUnit.SECONDS);
        commit(events, 3).get(20, TimeUnit.SECONDS);
        assertEquals(0, committed(args));

        // A new process: its own consumer of the group, starting from what Kafka recorded.
        TopicConsumers restarted = new TopicConsumers();
        Set<Long> offered = new HashSet<>();
        for (int i = 0; i < 2; i++) {
            offered.add(restarted
                    .await(args, new TestContext("after-" + i))
                    .toCompletableFuture()
                    .get(20, TimeUnit.SECONDS)
                    .offset());
        }
        assertEquals(Set.of(0L, 2L), offered, "1 and 3 were checkpointed before the restart: only 0 and 2 are free");
        CompletableFuture<KafkaEvent> nothingLeft =
                restarted.await(args, new TestContext("after-2")).toCompletableFuture();
        Thread.sleep(500);
        assertFalse(nothingLeft.isDone(), "every record is checkpointed or offered: a third wait gets nothing");
    }

    private CompletableFuture<Void> commit(List<KafkaEvent> events, long offset) {
        KafkaEvent event =
                events.stream().filter(e -> e.offset() == offset).findFirst().orElseThrow();
        return listener.eventCheckpointed(event, new TestContext("c")).toCompletableFuture();
    }

    @Test
    void aCancelledWaitGivesItsRecordToTheNextWait() throws Exception {
        KafkaArgs args = topic(1);
        publish(args, 0, null, "plain text");
        TestContext first = new TestContext("a");
        KafkaEvent seen = poll(args, first);
        assertEquals("plain text", seen.value(), "a value that is not JSON is text");
        first.cancel();
        // well inside the offer timeout: the cancel itself must give the record back
        KafkaEvent again = pollWithin(args, new TestContext("b"), TopicConsumer.OFFER_TIMEOUT.toMillis() / 3);
        assertEquals(seen.id(), again.id());
        assertEquals(0, committed(args));
    }

    @Test
    void aRefusedCheckpointOffersTheRecordAgainAfterABackOff() throws Exception {
        KafkaArgs args = topic(1);
        publish(args, 0, null, "x");
        TestContext first = new TestContext("a");
        KafkaEvent seen = poll(args, first);
        first.endAttempt();
        KafkaEvent again = pollWithin(args, new TestContext("b"), TopicConsumer.OFFER_TIMEOUT.toMillis() / 3);
        assertEquals(seen.id(), again.id());
    }

    @Test
    void aKeyFilterTakesOnlyItsRecordAndTheOffsetWaitsForTheOthers() throws Exception {
        KafkaArgs args = topic(1);
        publish(args, 0, "order-7", "{\"order\": 7}");
        publish(args, 0, "order-42", "{\"order\": 42}");
        KafkaEvent order42 = poll(args.withKey("order-42"), new TestContext("w42"));
        assertEquals("order-42", order42.key());
        assertEquals(1, order42.offset());
        listener.eventCheckpointed(order42, new TestContext("c"))
                .toCompletableFuture()
                .get(20, TimeUnit.SECONDS);
        assertEquals(0, committed(args), "order-7 below it is not taken: the group's offset may not pass it");
        assertEquals(Set.of(1L), doneAbove(args));
        KafkaEvent order7 = poll(args, new TestContext("any"));
        assertEquals("order-7", order7.key());
        listener.eventCheckpointed(order7, new TestContext("c"))
                .toCompletableFuture()
                .get(20, TimeUnit.SECONDS);
        assertEquals(2, committed(args));
        assertEquals(Set.of(), doneAbove(args));
    }

    @Test
    void recordsOfManyPartitionsEachReachOneWait() throws Exception {
        KafkaArgs args = topic(3);
        int count = 30;
        for (int i = 0; i < count; i++) {
            publish(args, i % 3, "k" + i, "v" + i);
        }
        List<CompletableFuture<KafkaEvent>> waits = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            waits.add(listener.pollForEvent(args, new TestContext("w" + i)).toCompletableFuture());
        }
        Set<String> ids = new HashSet<>();
        List<CompletableFuture<Void>> commits = new ArrayList<>();
        for (int i = count - 1; i >= 0; i--) {
            KafkaEvent event = waits.get(i).get(20, TimeUnit.SECONDS);
            assertTrue(ids.add(event.id()), "one record at two waits: " + event.id());
            commits.add(listener.eventCheckpointed(event, new TestContext("c")).toCompletableFuture());
        }
        for (CompletableFuture<Void> c : commits) {
            c.get(20, TimeUnit.SECONDS);
        }
        assertEquals(broker.endOffsets(args.topic(), 3), broker.committed(args.group(), args.topic(), 3));
    }

    @Test
    void aRecommitAfterARestartIsRecordedBeforeTheRecordIsFetched() throws Exception {
        KafkaArgs args = topic(1);
        publish(args, 0, null, "one");
        publish(args, 0, null, "two");
        // as after a restart: the workflow's checkpoint names offset 1, nothing was polled in this process
        KafkaEvent stored =
                new KafkaEvent(args.bootstrapServers(), args.group(), args.topic(), 0, 1, null, "two", Map.of(), 0L);
        listener.eventCheckpointed(stored, new TestContext("r"))
                .toCompletableFuture()
                .get(20, TimeUnit.SECONDS);
        assertEquals(Set.of(1L), doneAbove(args));
        KafkaEvent zero = poll(args, new TestContext("next"));
        assertEquals(0, zero.offset(), "offset 1 is done: the next wait gets offset 0");
        assertNotEquals(stored.id(), zero.id());
        listener.eventCheckpointed(zero, new TestContext("c"))
                .toCompletableFuture()
                .get(20, TimeUnit.SECONDS);
        assertEquals(2, committed(args));
    }
}
