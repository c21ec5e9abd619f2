package dev.hark.kafka;

import java.util.Base64;
import java.util.BitSet;
import java.util.Iterator;
import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The uncommitted records of one partition, in offset order, and what the group may commit: the
 * offset just past the contiguous run of checkpointed records that starts at the committed offset,
 * and, in the commit's metadata, which records above that offset are checkpointed too.
 *
 * <p>Records are checkpointed out of order (many waits take records of one partition at once), and
 * committing past a record a wait still holds would lose it in a crash, so the offset stops at the
 * lowest record not checkpointed. The records checkpointed above it are written into the offset
 * commit's metadata as a bitmap (the technique of Confluent's Parallel Consumer), so that their
 * commit is durable at Kafka at once, without waiting for the records below them; a consumer that
 * starts from the committed offset reads the bitmap back and never offers those records again. Not
 * thread-safe: its {@link TopicConsumer} guards it.
 */
final class PartitionLedger {

    /** Marks metadata written by this ledger; other metadata is ignored. */
    static final String METADATA_PREFIX = "hark1:";
    /**
     * The widest span above the committed offset the metadata describes: 16,384 offsets are 2,048
     * bytes, 2,737 characters in Base64, under the broker's default {@code offset.metadata.max.bytes}
     * of 4,096. Records checkpointed further above wait for the offset to move.
     */
    static final int DEFAULT_MAX_SPAN = 16_384;

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

    /** What one commit writes: the offset, its metadata, and the offsets above it it records as done. */
    record Commit(long offset, String metadata, long[] doneAbove) {}

    private final TreeMap<Long, Entry<Object>> entries = new TreeMap<>();
    /** checkpointed offsets at or above the committed offset, fetched or not */
    private final TreeSet<Long> done = new TreeSet<>();
    /** the offset the group has committed: every record below it is done */
    private long committed;
    /** bumped by every change a commit should carry; compared with {@link #durableVersion} */
    private long version;

    private long durableVersion;

    PartitionLedger(long committed) {
        this.committed = committed;
    }

    /** A ledger starting at a committed offset whose metadata (maybe null or foreign) lists done records. */
    static PartitionLedger resume(long committed, String metadata) {
        PartitionLedger ledger = new PartitionLedger(committed);
        ledger.done.addAll(decode(committed, metadata));
        return ledger;
    }

    long committed() {
        return committed;
    }

    int size() {
        return entries.size();
    }

    /**
     * Adds a fetched record; a record below the committed offset or already held is ignored, and one
     * already checkpointed (the metadata said so, or a recommit came before the fetch) is added done.
     */
    Entry<Object> add(long offset, Object record) {
        if (offset < committed || entries.containsKey(offset)) {
            return null;
        }
        Entry<Object> entry = new Entry<>(offset, record);
        if (done.contains(offset)) {
            entry.state = State.DONE;
        }
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
     * Marks a record checkpointed, fetched here or not (a recommit after a restart may come first).
     *
     * @return whether it is new: false when it was below the committed offset or already done
     */
    boolean done(long offset) {
        if (offset < committed || !done.add(offset)) {
            return false;
        }
        Entry<Object> entry = entries.get(offset);
        if (entry != null) {
            entry.state = State.DONE;
        }
        version++;
        return true;
    }

    /** Asks for one more commit though nothing changed (a second {@code eventCheckpointed} of a record waits for it). */
    void recommit() {
        version++;
    }

    /** @return the checkpointed offsets above the committed one */
    long[] doneOffsets() {
        return done.stream().mapToLong(Long::longValue).toArray();
    }

    /** @return whether the record is below the committed offset or checkpointed */
    boolean isDone(long offset) {
        return offset < committed || done.contains(offset);
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

    /** @return whether Kafka does not yet know everything checkpointed here */
    boolean needsCommit() {
        return version != durableVersion || commitPoint() > committed;
    }

    /** @return the commit that records everything checkpointed so far, within {@code maxSpan} above its offset */
    Commit nextCommit(int maxSpan) {
        long point = commitPoint();
        NavigableSet<Long> above = done.subSet(point, true, point + maxSpan, false);
        long[] offsets = above.stream().mapToLong(Long::longValue).toArray();
        BitSet bits = new BitSet();
        for (long offset : offsets) {
            bits.set((int) (offset - point));
        }
        String metadata = offsets.length == 0
                ? ""
                : METADATA_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bits.toByteArray());
        return new Commit(point, metadata, offsets);
    }

    /** Kafka recorded {@code commit}, made when the ledger was at {@code versionAtCommit}: forget what lies below it. */
    void committed(Commit commit, long versionAtCommit) {
        if (commit.offset() > committed) {
            committed = commit.offset();
            Iterator<Long> it = entries.keySet().iterator();
            while (it.hasNext() && it.next() < committed) {
                it.remove();
            }
            done.headSet(committed).clear();
        }
        durableVersion = Math.max(durableVersion, versionAtCommit);
    }

    long version() {
        return version;
    }

    /** @return the done offsets a commit's metadata lists above {@code committed}; empty for metadata not ours */
    static TreeSet<Long> decode(long committed, String metadata) {
        TreeSet<Long> offsets = new TreeSet<>();
        if (metadata == null || !metadata.startsWith(METADATA_PREFIX)) {
            return offsets;
        }
        BitSet bits;
        try {
            bits = BitSet.valueOf(Base64.getUrlDecoder().decode(metadata.substring(METADATA_PREFIX.length())));
        } catch (IllegalArgumentException notOurs) {
            return offsets;
        }
        for (int i = bits.nextSetBit(0); i >= 0; i = bits.nextSetBit(i + 1)) {
            offsets.add(committed + i);
        }
        return offsets;
    }
}
