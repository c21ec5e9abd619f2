package dev.hark.kafka;

import dev.hark.api.EventContext;
import dev.hark.kafka.PartitionLedger.Entry;
import dev.hark.kafka.PartitionLedger.State;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.OffsetMetadataTooLarge;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * The one consumer of a (bootstrap servers, group, topic) inside this process: it reads every
 * partition of the topic (assigned, not subscribed: no group membership, no rebalances, no heartbeat
 * thread; the group only keeps the committed offsets), hands each record to at most one pending wait
 * at a time, and commits per partition only past the run of records workflows have checkpointed (see
 * {@link PartitionLedger}). Its rounds run on the process's one poller thread
 * ({@link TopicConsumers}); waits never touch the Kafka client, which is not thread-safe: they meet
 * the poller under {@link #lock}.
 *
 * <p>A record is "offered" to one wait; the runtime's claim (R7.1) makes sure that at most one wait
 * ever checkpoints it, also across crashes, so an offer that is refused (the wait's {@code onCancel}
 * runs without the wait being cancelled) or that nobody acts on within {@link #OFFER_TIMEOUT} (its
 * wait died with its runtime) is offered again, after a back-off for a refused one. A record is done
 * when {@code eventCheckpointed} names it, from this process's wait or from a recommit after a
 * restart (R5.2); a commit's stage completes only once Kafka records the record as consumed — below
 * the group's committed offset, or in that commit's metadata (see {@link PartitionLedger}) — so a
 * commit the runtime recorded is one Kafka never redelivers.
 */
final class TopicConsumer {

    static final Duration OFFER_TIMEOUT = Duration.ofSeconds(3);
    static final Duration LINGER = Duration.ofSeconds(2);
    static final long MAX_REFUSAL_BACKOFF_MILLIS = 2_000;
    /** records held per partition before the partition is paused (resumed below half) */
    static final int MAX_HELD = 20_000;

    private static final ObjectMapper JSON = JsonMapper.builder().build();

    /** One wait: pending until a record is offered to it. */
    static final class Waiter {
        final String key;
        final EventContext context;
        final CompletableFuture<KafkaEvent> result = new CompletableFuture<>();
        Entry<Object> offered;
        boolean ended;

        Waiter(String key, EventContext context) {
            this.key = key;
            this.context = context;
        }
    }

    private final TopicConsumers.Key key;
    private final TopicConsumers owner;
    private final Object lock = new Object();
    private final Map<Integer, PartitionLedger> ledgers = new TreeMap<>();
    private final Deque<Waiter> waiters = new ArrayDeque<>();
    /** checkpointed records of partitions not assigned yet: a recommit after a restart, before the assignment */
    private final Map<Integer, Set<Long>> doneAhead = new HashMap<>();
    /** commits waiting for the group's offset to pass them, per partition, by offset */
    private final Map<Integer, TreeMap<Long, List<CompletableFuture<Void>>>> commits = new HashMap<>();

    private final KafkaConsumer<String, String> consumer;
    /** the partitions read, once known (the consumer assigns itself every partition of the topic) */
    private boolean assigned;

    private long nextAssignAttempt;
    /** how far above the committed offset a commit's metadata lists checkpointed records; cut when the broker refuses its size */
    private int maxSpan = PartitionLedger.DEFAULT_MAX_SPAN;
    /** waits and commits in progress; the consumer closes after {@link #LINGER} at zero */
    private int users;

    private long idleSince;
    private boolean closing;
    private volatile boolean stopped;
    private Throwable failure;

    TopicConsumer(TopicConsumers.Key key, Map<String, String> properties, TopicConsumers owner) {
        this.key = key;
        this.owner = owner;
        Properties config = new Properties();
        config.putAll(properties);
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, key.bootstrapServers());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, key.group());
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        config.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "hark-" + key.group() + "-" + key.topic());
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        // The client loads its classes through the context loader: make it the plugin's.
        Thread current = Thread.currentThread();
        ClassLoader before = current.getContextClassLoader();
        current.setContextClassLoader(TopicConsumer.class.getClassLoader());
        try {
            this.consumer = new KafkaConsumer<>(config);
        } finally {
            current.setContextClassLoader(before);
        }
    }

    /** @return whether the consumer took the use; false once it is closing (make a new one) */
    boolean acquire() {
        synchronized (lock) {
            if (closing || stopped) {
                return false;
            }
            users++;
            return true;
        }
    }

    private void releaseUse() {
        synchronized (lock) {
            users--;
            if (users == 0) {
                idleSince = System.currentTimeMillis();
            }
        }
    }

    /** A new wait (its use already acquired): offered the first free matching record, now or later. */
    CompletionStage<KafkaEvent> await(String recordKey, EventContext context) {
        Waiter waiter = new Waiter(recordKey, context);
        List<Runnable> offers;
        synchronized (lock) {
            if (failure != null) {
                waiter.ended = true;
                users--;
                return CompletableFuture.failedFuture(failure);
            }
            waiters.add(waiter);
            offers = match(System.currentTimeMillis());
        }
        context.onCancel(() -> ended(waiter));
        offers.forEach(Runnable::run);
        return waiter.result;
    }

    /**
     * The wait ended without its event checkpointed: cancelled, or its checkpoint refused or failed
     * (R6.3). A record it held is offered again, at once when the wait was cancelled, after a
     * back-off when the runtime is about to poll again (another wait may have claimed it).
     */
    private void ended(Waiter waiter) {
        List<Runnable> offers;
        synchronized (lock) {
            if (waiter.ended) {
                return;
            }
            waiter.ended = true;
            users--;
            if (users == 0) {
                idleSince = System.currentTimeMillis();
            }
            waiters.remove(waiter);
            long now = System.currentTimeMillis();
            Entry<Object> entry = waiter.offered;
            if (entry != null && entry.holder == waiter && entry.state == State.OFFERED) {
                entry.state = State.AVAILABLE;
                entry.holder = null;
                if (!waiter.context.isCancelled()) {
                    entry.refusals++;
                    entry.availableAt = now + Math.min(MAX_REFUSAL_BACKOFF_MILLIS, 50L << Math.min(entry.refusals, 10));
                }
            }
            offers = match(now);
        }
        offers.forEach(Runnable::run);
    }

    /** A workflow checkpointed {@code event}: completes once Kafka records it as consumed. */
    CompletionStage<Void> checkpointed(KafkaEvent event) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        synchronized (lock) {
            PartitionLedger ledger = ledgers.get(event.partition());
            if (ledger != null && event.offset() < ledger.committed()) {
                done.complete(null);
            } else {
                if (ledger == null) {
                    doneAhead
                            .computeIfAbsent(event.partition(), p -> new HashSet<>())
                            .add(event.offset());
                } else {
                    Entry<Object> entry = ledger.get(event.offset());
                    if (entry != null) {
                        release(entry);
                    }
                    if (!ledger.done(event.offset())) {
                        ledger.recommit(); // done before, maybe durable already: one more commit says so for sure
                    }
                }
                commits.computeIfAbsent(event.partition(), p -> new TreeMap<>())
                        .computeIfAbsent(event.offset(), o -> new ArrayList<>())
                        .add(done);
            }
        }
        done.whenComplete((ok, e) -> releaseUse());
        return done;
    }

    /** The record is checkpointed: the wait it was offered to (if still counted) is over. Call holding the lock. */
    private void release(Entry<Object> entry) {
        if (entry.holder instanceof Waiter holder && !holder.ended) {
            holder.ended = true;
            users--;
            if (users == 0) {
                idleSince = System.currentTimeMillis();
            }
        }
        entry.holder = null;
    }

    /** Offers free records to pending waits. Call holding the lock; run the returned offers after it. */
    private List<Runnable> match(long now) {
        if (waiters.isEmpty()) {
            return List.of();
        }
        List<Runnable> offers = new ArrayList<>();
        Iterator<Waiter> it = waiters.iterator();
        while (it.hasNext()) {
            Waiter waiter = it.next();
            if (waiter.context.isCancelled()) {
                continue;
            }
            Entry<Object> entry = firstFree(waiter.key, now);
            if (entry == null) {
                continue;
            }
            it.remove();
            entry.state = State.OFFERED;
            entry.holder = waiter;
            entry.offeredAt = now;
            waiter.offered = entry;
            KafkaEvent event = (KafkaEvent) entry.record;
            offers.add(() -> waiter.result.complete(event));
        }
        return offers;
    }

    private Entry<Object> firstFree(String recordKey, long now) {
        Entry<Object> best = null;
        for (PartitionLedger ledger : ledgers.values()) {
            for (Entry<Object> entry : ledger.entries()) {
                if (entry.state == State.AVAILABLE
                        && entry.availableAt <= now
                        && (recordKey == null || recordKey.equals(((KafkaEvent) entry.record).key()))) {
                    if (best == null
                            || ((KafkaEvent) entry.record).timestamp() < ((KafkaEvent) best.record).timestamp()) {
                        best = entry;
                    }
                    break;
                }
            }
        }
        return best;
    }

    /**
     * One round on the poller thread: fetch what is there without waiting, hand records to waits,
     * commit what is checkpointed.
     *
     * @return whether the round fetched or committed anything; false also once the consumer closed
     *     (see {@link #close})
     */
    boolean step() {
        if (stopped) {
            return false;
        }
        try {
            if (!assigned && !assign()) {
                return false;
            }
            ConsumerRecords<String, String> records = consumer.poll(Duration.ZERO);
            Map<TopicPartition, OffsetAndMetadata> toCommit = new HashMap<>();
            Map<Integer, PartitionLedger.Commit> planned = new HashMap<>();
            Map<Integer, Long> versions = new HashMap<>();
            List<Runnable> offers;
            boolean close = false;
            synchronized (lock) {
                long now = System.currentTimeMillis();
                for (ConsumerRecord<String, String> record : records) {
                    PartitionLedger ledger = ledgers.get(record.partition());
                    if (ledger == null) {
                        continue;
                    }
                    ledger.add(record.offset(), eventOf(record));
                }
                expireOffers(now);
                offers = match(now);
                for (Map.Entry<Integer, PartitionLedger> e : ledgers.entrySet()) {
                    PartitionLedger ledger = e.getValue();
                    if (ledger.needsCommit()) {
                        PartitionLedger.Commit commit = ledger.nextCommit(maxSpan);
                        planned.put(e.getKey(), commit);
                        versions.put(e.getKey(), ledger.version());
                        toCommit.put(
                                new TopicPartition(key.topic(), e.getKey()),
                                new OffsetAndMetadata(commit.offset(), commit.metadata()));
                    }
                }
                pauseOrResume();
                if (users == 0 && toCommit.isEmpty() && now - idleSince >= LINGER.toMillis()) {
                    closing = true;
                    close = true;
                }
            }
            offers.forEach(Runnable::run);
            if (!toCommit.isEmpty()) {
                commit(toCommit, planned, versions);
            }
            if (close) {
                owner.retire(key, this);
                close();
            }
            return !records.isEmpty() || !toCommit.isEmpty();
        } catch (Throwable e) {
            fail(e);
            close();
            return false;
        }
    }

    private void close() {
        stopped = true;
        try {
            consumer.close(Duration.ZERO);
        } catch (RuntimeException ignored) {
            // closing anyway
        }
    }

    /**
     * Assigns the consumer every partition of the topic and starts each partition's ledger at the
     * group's committed offset (the earliest offset when the group has none). Tried again a second
     * later while the topic is unknown.
     *
     * @return whether the partitions are assigned
     */
    private boolean assign() {
        long now = System.currentTimeMillis();
        if (now < nextAssignAttempt) {
            return false;
        }
        nextAssignAttempt = now + 1_000;
        List<PartitionInfo> infos;
        try {
            infos = consumer.partitionsFor(key.topic(), Duration.ofSeconds(5));
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            return false;
        }
        if (infos == null || infos.isEmpty()) {
            return false;
        }
        List<TopicPartition> partitions = new ArrayList<>();
        for (PartitionInfo info : infos) {
            partitions.add(new TopicPartition(key.topic(), info.partition()));
        }
        consumer.assign(partitions);
        Map<TopicPartition, OffsetAndMetadata> committed =
                consumer.committed(new HashSet<>(partitions), Duration.ofSeconds(10));
        Map<TopicPartition, PartitionLedger> start = new HashMap<>();
        for (TopicPartition tp : partitions) {
            long position = consumer.position(tp, Duration.ofSeconds(10));
            OffsetAndMetadata mark = committed.get(tp);
            start.put(
                    tp,
                    PartitionLedger.resume(
                            position, mark != null && mark.offset() == position ? mark.metadata() : null));
        }
        List<CompletableFuture<Void>> complete = new ArrayList<>();
        synchronized (lock) {
            for (Map.Entry<TopicPartition, PartitionLedger> e : start.entrySet()) {
                int partition = e.getKey().partition();
                PartitionLedger ledger = e.getValue();
                ledgers.put(partition, ledger);
                completeDurable(partition, ledger.committed(), ledger.doneOffsets(), complete);
                Set<Long> ahead = doneAhead.remove(partition);
                if (ahead != null) {
                    ahead.forEach(ledger::done);
                }
            }
        }
        assigned = true;
        complete.forEach(f -> f.complete(null));
        return true;
    }

    /**
     * Commits synchronously on the consumer thread; a failed commit is tried again on the next round,
     * and one whose metadata the broker finds too large ({@code offset.metadata.max.bytes}) with a
     * narrower span.
     */
    private void commit(
            Map<TopicPartition, OffsetAndMetadata> toCommit,
            Map<Integer, PartitionLedger.Commit> planned,
            Map<Integer, Long> versions) {
        try {
            consumer.commitSync(toCommit, Duration.ofSeconds(10));
        } catch (OffsetMetadataTooLarge e) {
            maxSpan = maxSpan >= 256 ? maxSpan / 4 : 0;
            return;
        } catch (RuntimeException e) {
            return;
        }
        List<CompletableFuture<Void>> complete = new ArrayList<>();
        synchronized (lock) {
            for (Map.Entry<Integer, PartitionLedger.Commit> e : planned.entrySet()) {
                int partition = e.getKey();
                PartitionLedger.Commit commit = e.getValue();
                PartitionLedger ledger = ledgers.get(partition);
                if (ledger != null) {
                    ledger.committed(commit, versions.get(partition));
                }
                completeDurable(partition, commit.offset(), commit.doneAbove(), complete);
            }
        }
        complete.forEach(f -> f.complete(null));
    }

    /**
     * Completes the commits Kafka now records: those below {@code offset}, and those the offset's
     * metadata lists as done above it. Call holding the lock.
     */
    private void completeDurable(int partition, long offset, long[] doneAbove, List<CompletableFuture<Void>> complete) {
        TreeMap<Long, List<CompletableFuture<Void>>> waiting = commits.get(partition);
        if (waiting == null) {
            return;
        }
        Map<Long, List<CompletableFuture<Void>>> below = waiting.headMap(offset, false);
        below.values().forEach(complete::addAll);
        below.clear();
        for (long done : doneAbove) {
            List<CompletableFuture<Void>> futures = waiting.remove(done);
            if (futures != null) {
                complete.addAll(futures);
            }
        }
    }

    /** Offers that nobody acted on (their wait's runtime is gone) are free again. Call holding the lock. */
    private void expireOffers(long now) {
        for (PartitionLedger ledger : ledgers.values()) {
            for (Entry<Object> entry : ledger.entries()) {
                if (entry.state == State.OFFERED && now - entry.offeredAt >= OFFER_TIMEOUT.toMillis()) {
                    release(entry);
                    entry.state = State.AVAILABLE;
                }
            }
        }
    }

    /** Call holding the lock. */
    private void pauseOrResume() {
        List<TopicPartition> pause = new ArrayList<>();
        List<TopicPartition> resume = new ArrayList<>();
        for (Map.Entry<Integer, PartitionLedger> e : ledgers.entrySet()) {
            TopicPartition tp = new TopicPartition(key.topic(), e.getKey());
            if (e.getValue().size() >= MAX_HELD) {
                pause.add(tp);
            } else if (e.getValue().size() < MAX_HELD / 2) {
                resume.add(tp);
            }
        }
        if (!pause.isEmpty()) {
            consumer.pause(pause);
        }
        if (!resume.isEmpty()) {
            Set<TopicPartition> paused = consumer.paused();
            resume.retainAll(paused);
            if (!resume.isEmpty()) {
                consumer.resume(resume);
            }
        }
    }

    private void fail(Throwable e) {
        List<Waiter> failed;
        synchronized (lock) {
            failure = e;
            closing = true;
            failed = new ArrayList<>(waiters);
            waiters.clear();
            for (TreeMap<Long, List<CompletableFuture<Void>>> waiting : commits.values()) {
                waiting.values().forEach(list -> list.forEach(f -> f.completeExceptionally(e)));
            }
            commits.clear();
        }
        owner.retire(key, this);
        failed.forEach(w -> w.result.completeExceptionally(e));
    }

    private KafkaEvent eventOf(ConsumerRecord<String, String> record) {
        Map<String, String> headers = new LinkedHashMap<>();
        for (Header header : record.headers()) {
            headers.put(header.key(), header.value() == null ? "" : new String(header.value(), StandardCharsets.UTF_8));
        }
        return new KafkaEvent(
                key.bootstrapServers(),
                key.group(),
                record.topic(),
                record.partition(),
                record.offset(),
                record.key(),
                valueOf(record.value()),
                headers,
                record.timestamp());
    }

    /** @return the value as plain JSON data when it parses, else the text */
    static Object valueOf(String text) {
        if (text == null) {
            return null;
        }
        try {
            return JSON.readValue(text, Object.class);
        } catch (RuntimeException notJson) {
            return text;
        }
    }
}
