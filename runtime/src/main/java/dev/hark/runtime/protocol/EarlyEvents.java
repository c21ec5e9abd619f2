package dev.hark.runtime.protocol;

import dev.hark.runtime.event.Delivery;
import dev.hark.runtime.storage.EarlyEventRecord;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The early events buffered for running workflows [R9.1–R9.4]: the in-memory index of the store's
 * {@code early_events} rows (loaded when the runtime opens, added to once a row is durable), and
 * their hand-over to the waits that register for their (workflow, key).
 *
 * <p>Each event is in one of three states: waiting for a wait, in flight (handed to a wait whose
 * checkpoint is pending: no other wait and no sweep may take it), or being dropped (expired, its
 * deletion queued: no wait may take it). A checkpoint of the event claims its id in the workflow's
 * inbox and deletes its row in the same transaction, so once the wait's sender reply says
 * "accepted" the entry simply goes; any other outcome puts it back, to wait for the next wait.
 */
public final class EarlyEvents {

    private enum State {
        WAITING,
        IN_FLIGHT,
        DROPPING
    }

    private record Address(String workflowId, String key) {}

    private static final class Entry {
        final EarlyEventRecord record;
        final Object payload;
        State state = State.WAITING;

        Entry(EarlyEventRecord record, Object payload) {
            this.record = record;
            this.payload = payload;
        }
    }

    private final Inbox inbox;
    private final Clock clock;
    /** Guarded by this. Per (workflow, key), oldest first. */
    private final Map<Address, Deque<Entry>> buffered = new HashMap<>();
    /** Guarded by this. Per workflow, how many are buffered. */
    private final Map<String, Integer> perWorkflow = new HashMap<>();

    /** Read without the lock: nothing buffered means nothing to offer a new wait. */
    private volatile int size;

    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong ids = new AtomicLong();
    private final String idPrefix = "early-" + Long.toString(System.currentTimeMillis(), 36) + "-"
            + Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36) + "-";
    /** Deletes the row of an event found recorded already (a refused checkpoint); set by the engine. */
    private volatile Consumer<EarlyEventRecord> forgetRow = record -> {};

    public EarlyEvents(Inbox inbox, Clock clock) {
        this.inbox = inbox;
        this.clock = clock;
        inbox.earlyEvents(this);
    }

    public void onRecordedElsewhere(Consumer<EarlyEventRecord> forgetRow) {
        this.forgetRow = forgetRow;
    }

    /** @return a new event id, unique per runtime start and within it */
    public String newId() {
        return idPrefix + ids.incrementAndGet();
    }

    /**
     * Adds an event whose row is durable, and hands it to a wait registered for its key, if any.
     * An event already known (same workflow and id) is not added twice.
     *
     * @param payload the payload as plain JSON data
     */
    public void add(EarlyEventRecord record, Object payload) {
        Address address = new Address(record.workflowId(), record.eventKey());
        synchronized (this) {
            Deque<Entry> entries = buffered.computeIfAbsent(address, a -> new ArrayDeque<>(2));
            for (Entry entry : entries) {
                if (entry.record.eventId().equals(record.eventId())) {
                    return;
                }
            }
            entries.addLast(new Entry(record, payload));
            perWorkflow.merge(record.workflowId(), 1, Integer::sum);
            size++;
        }
        offer(record.workflowId(), record.eventKey());
    }

    /**
     * A wait registered for (workflow, key): hand it the oldest event buffered for the pair that
     * has not expired [R9.2]. Called by the inbox after each registration, and after each add.
     */
    void offer(String workflowId, String key) {
        if (size == 0) {
            return;
        }
        Address address = new Address(workflowId, key);
        while (true) {
            Entry entry;
            synchronized (this) {
                entry = firstWaiting(address);
                if (entry == null) {
                    return;
                }
                entry.state = State.IN_FLIGHT;
            }
            CompletableFuture<Delivery> reply =
                    inbox.deliverBuffered(workflowId, key, entry.record.eventId(), entry.payload);
            if (reply != null) {
                reply.whenComplete((outcome, failure) -> settled(address, entry, outcome));
                return;
            }
            synchronized (this) {
                if (entry.state == State.IN_FLIGHT) {
                    entry.state = State.WAITING;
                }
            }
            // A wait that registered while the entry was in flight found nothing to take: look again.
            if (!inbox.hasWait(workflowId, key)) {
                return;
            }
        }
    }

    private void settled(Address address, Entry entry, Delivery outcome) {
        if (outcome instanceof Delivery.Accepted accepted) {
            // Checkpointed (its row went in the checkpoint's transaction), or recorded before under
            // this id (the checkpoint was refused, the row is still there): either way it is done.
            if (remove(address, entry)) {
                delivered.incrementAndGet();
            }
            if (accepted.earlier()) {
                forgetRow.accept(entry.record);
            }
            return;
        }
        synchronized (this) {
            if (entry.state == State.IN_FLIGHT) {
                entry.state = State.WAITING;
            }
        }
        offer(address.workflowId(), address.key());
    }

    /** Call holding the lock. */
    private Entry firstWaiting(Address address) {
        Deque<Entry> entries = buffered.get(address);
        if (entries == null) {
            return null;
        }
        long now = clock.millis();
        for (Entry entry : entries) {
            if (entry.state == State.IN_FLIGHT) {
                return null; // one at a time per key, oldest first
            }
            if (entry.state == State.WAITING && entry.record.expiresAtMillis() > now) {
                return entry;
            }
        }
        return null;
    }

    private synchronized boolean remove(Address address, Entry entry) {
        Deque<Entry> entries = buffered.get(address);
        if (entries == null || !entries.remove(entry)) {
            return false;
        }
        if (entries.isEmpty()) {
            buffered.remove(address);
        }
        perWorkflow.computeIfPresent(entry.record.workflowId(), (w, n) -> n == 1 ? null : n - 1);
        size--;
        return true;
    }

    /** @return whether events are buffered (or in flight) for (workflow, key): a new one goes behind them */
    public synchronized boolean has(String workflowId, String key) {
        return size > 0 && buffered.containsKey(new Address(workflowId, key));
    }

    /** @return the buffered event of this workflow with this id, or null */
    public synchronized EarlyEventRecord buffered(String workflowId, String eventId) {
        if (size == 0) {
            return null;
        }
        for (Map.Entry<Address, Deque<Entry>> pair : buffered.entrySet()) {
            if (pair.getKey().workflowId().equals(workflowId)) {
                for (Entry entry : pair.getValue()) {
                    if (entry.record.eventId().equals(eventId)) {
                        return entry.record;
                    }
                }
            }
        }
        return null;
    }

    /** @return how many events are buffered for the workflow */
    public synchronized int count(String workflowId) {
        return perWorkflow.getOrDefault(workflowId, 0);
    }

    /** @return the events buffered for the workflow, oldest first per key */
    public synchronized List<EarlyEventRecord> of(String workflowId) {
        List<EarlyEventRecord> found = new ArrayList<>();
        for (Map.Entry<Address, Deque<Entry>> pair : buffered.entrySet()) {
            if (pair.getKey().workflowId().equals(workflowId)) {
                pair.getValue().forEach(entry -> found.add(entry.record));
            }
        }
        found.sort((a, b) -> Long.compare(a.receivedAtMillis(), b.receivedAtMillis()));
        return found;
    }

    /** @return whether anything is buffered at all */
    public boolean isEmpty() {
        return size == 0;
    }

    /** @return how many events are buffered */
    public int size() {
        return size;
    }

    /**
     * Marks every expired event that no wait holds as being dropped: from now on no wait can take
     * it. Hand the result to the store's drop, then to {@link #dropped} (or {@link #restore}).
     */
    public synchronized List<EarlyEventRecord> takeExpired() {
        long now = clock.millis();
        List<EarlyEventRecord> expired = new ArrayList<>();
        for (Deque<Entry> entries : buffered.values()) {
            for (Entry entry : entries) {
                if (entry.state == State.WAITING && entry.record.expiresAtMillis() <= now) {
                    entry.state = State.DROPPING;
                    expired.add(entry.record);
                }
            }
        }
        return expired;
    }

    /** The store deleted these rows (expired, or their workflow ended): they are gone and counted [R9.4]. */
    public void dropped(List<EarlyEventRecord> records) {
        for (EarlyEventRecord record : records) {
            Address address = new Address(record.workflowId(), record.eventKey());
            Entry found = find(address, record.eventId(), false);
            if (found != null && remove(address, found)) {
                dropped.incrementAndGet();
            }
        }
    }

    /** Removes these events, still marked as being dropped, without counting them as dropped. */
    public void forget(List<EarlyEventRecord> records) {
        for (EarlyEventRecord record : records) {
            Address address = new Address(record.workflowId(), record.eventKey());
            Entry found = find(address, record.eventId(), true);
            if (found != null) {
                remove(address, found);
            }
        }
    }

    /** The store's drop failed: the events wait again (the next sweep tries again). */
    public synchronized void restore(List<EarlyEventRecord> records) {
        for (EarlyEventRecord record : records) {
            Entry entry = find(new Address(record.workflowId(), record.eventKey()), record.eventId(), true);
            if (entry != null) {
                entry.state = State.WAITING;
            }
        }
    }

    /** @return the buffered entry of {@code eventId} at {@code address} (only one being dropped, if asked), or null */
    private synchronized Entry find(Address address, String eventId, boolean dropping) {
        Deque<Entry> entries = buffered.get(address);
        if (entries != null) {
            for (Entry entry : entries) {
                if (entry.record.eventId().equals(eventId) && (!dropping || entry.state == State.DROPPING)) {
                    return entry;
                }
            }
        }
        return null;
    }

    /** @return early events dropped since the runtime started (expired, or their workflow ended) */
    public long droppedCount() {
        return dropped.get();
    }

    /** @return early events delivered to a wait since the runtime started */
    public long deliveredCount() {
        return delivered.get();
    }
}
