package dev.hark.kafka;

import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * The uncommitted records of one partition, in offset order, and how far the group may commit:
 * only up to the lowest record no workflow has checkpointed yet. Records are checkpointed out of
 * order (many waits take records of one partition at once), so the commit point is the end of the
 * contiguous run of checkpointed records that starts at the committed offset, never the highest
 * checkpointed one: committing past a record still held by a wait that has not checkpointed would
 * lose it in a crash. Not thread-safe: its {@link TopicConsumer} guards it.
 */
final class PartitionLedger {

    enum State {
        /** fetched, free for the next matching wait */
        AVAILABLE,
        /** handed to a wait that has not checkpointed it (yet) */
        OFFERED,
        /** checkpointed by a workflow: may be committed */
        DONE
    }

    static final class Entry<R> {
        final long offset;
        final R record;
        State state = State.AVAILABLE;
        /** when it may be offered again (after a refused checkpoint), in the consumer's clock millis */
        long availableAt;

        long offeredAt;
        int refusals;
        Object holder;

        Entry(long offset, R record) {
            this.offset = offset;
            this.record = record;
        }
    }

    private final TreeMap<Long, Entry<Object>> entries = new TreeMap<>();
    /** the offset the group has committed: every record below it is done */
    private long committed;

    PartitionLedger(long committed) {
        this.committed = committed;
    }

    long committed() {
        return committed;
    }

    int size() {
        return entries.size();
    }

    /** Adds a fetched record; a record below the committed offset or already held is ignored. */
    Entry<Object> add(long offset, Object record) {
        if (offset < committed || entries.containsKey(offset)) {
            return null;
        }
        Entry<Object> entry = new Entry<>(offset, record);
        entries.put(offset, entry);
        return entry;
    }

    Entry<Object> get(long offset) {
        return entries.get(offset);
    }

    Iterable<Entry<Object>> entries() {
        return entries.values();
    }

    /**
     * Marks a record checkpointed.
     *
     * @return whether the offset is known here (held, or already below the committed offset)
     */
    boolean done(long offset) {
        if (offset < committed) {
            return true;
        }
        Entry<Object> entry = entries.get(offset);
        if (entry == null) {
            return false;
        }
        entry.state = State.DONE;
        return true;
    }

    /**
     * @return the offset to commit: just past the run of checkpointed records that starts at the
     *     lowest record held (the committed offset itself when the lowest record is not done). The
     *     records held are every record fetched from the committed offset on, so the run is
     *     contiguous in the partition even where offsets have gaps (compaction, transaction markers).
     */
    long commitPoint() {
        long next = committed;
        for (Map.Entry<Long, Entry<Object>> e : entries.entrySet()) {
            if (e.getValue().state != State.DONE) {
                break;
            }
            next = e.getKey() + 1;
        }
        return next;
    }

    /** The group committed {@code offset}: forget every record below it. */
    void committedTo(long offset) {
        if (offset <= committed) {
            return;
        }
        committed = offset;
        Iterator<Long> it = entries.keySet().iterator();
        while (it.hasNext() && it.next() < offset) {
            it.remove();
        }
    }
}
