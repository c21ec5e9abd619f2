package dev.hark.kafka;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hark.kafka.PartitionLedger.Commit;
import dev.hark.kafka.PartitionLedger.State;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The commit point (only past the run of checkpointed records from the committed offset) and the
 * metadata that records the checkpointed ones above it.
 */
class PartitionLedgerTest {

    @Test
    void outOfOrderCheckpointsCommitOnlyTheContiguousRun() {
        PartitionLedger ledger = new PartitionLedger(5);
        for (long offset = 5; offset < 10; offset++) {
            ledger.add(offset, "r" + offset);
        }
        ledger.done(7);
        ledger.done(8);
        assertEquals(5, ledger.commitPoint(), "5 and 6 are not checkpointed: the offset may not move");
        ledger.done(5);
        assertEquals(6, ledger.commitPoint());
        ledger.done(6);
        assertEquals(9, ledger.commitPoint(), "5..8 checkpointed: commit 9, not past 9");
        ledger.committed(ledger.nextCommit(PartitionLedger.DEFAULT_MAX_SPAN), ledger.version());
        assertEquals(1, ledger.size());
        ledger.done(9);
        assertEquals(10, ledger.commitPoint());
    }

    @Test
    void gapsInOffsetsDoNotStopTheRun() {
        PartitionLedger ledger = new PartitionLedger(0);
        ledger.add(0, "a");
        ledger.add(2, "b"); // offset 1 is a transaction marker: never a record
        ledger.add(3, "c");
        ledger.done(0);
        ledger.done(2);
        assertEquals(3, ledger.commitPoint());
    }

    @Test
    void recordsBelowTheCommittedOffsetAreIgnoredAndDone() {
        PartitionLedger ledger = new PartitionLedger(4);
        assertNull(ledger.add(3, "old"));
        assertTrue(ledger.isDone(3));
        assertFalse(ledger.done(3), "below the committed offset: nothing new");
        assertEquals(4, ledger.commitPoint());
    }

    @Test
    void checkpointsAboveARecordNobodyTookAreCommittedInTheMetadata() {
        PartitionLedger ledger = new PartitionLedger(10);
        for (long offset = 10; offset < 20; offset++) {
            ledger.add(offset, "r" + offset);
        }
        ledger.done(12);
        ledger.done(19);
        assertTrue(ledger.needsCommit(), "two records checkpointed that Kafka does not know of");
        Commit commit = ledger.nextCommit(PartitionLedger.DEFAULT_MAX_SPAN);
        assertEquals(10, commit.offset(), "10 is held by nobody's checkpoint: the offset stays");
        assertArrayEquals(new long[] {12, 19}, commit.doneAbove());
        assertTrue(commit.metadata().startsWith(PartitionLedger.METADATA_PREFIX));
        ledger.committed(commit, ledger.version());
        assertFalse(ledger.needsCommit(), "everything checkpointed is durable now");
        assertEquals(Set.of(12L, 19L), PartitionLedger.decode(10, commit.metadata()));
    }

    @Test
    void aConsumerStartingFromTheMetadataNeverOffersTheCheckpointedRecordsAgain() {
        PartitionLedger before = new PartitionLedger(0);
        for (long offset = 0; offset < 6; offset++) {
            before.add(offset, "r" + offset);
        }
        before.done(1);
        before.done(4);
        Commit commit = before.nextCommit(PartitionLedger.DEFAULT_MAX_SPAN);

        PartitionLedger after = PartitionLedger.resume(commit.offset(), commit.metadata());
        for (long offset = 0; offset < 6; offset++) {
            after.add(offset, "r" + offset);
        }
        assertEquals(State.AVAILABLE, after.get(0).state);
        assertEquals(State.DONE, after.get(1).state);
        assertEquals(State.AVAILABLE, after.get(2).state);
        assertEquals(State.DONE, after.get(4).state);
        after.done(0);
        assertEquals(2, after.commitPoint(), "0 now and 1 from the metadata: the offset moves past both");
    }

    @Test
    void foreignOrDamagedMetadataMeansNothingIsDoneAboveTheOffset() {
        assertEquals(Set.of(), PartitionLedger.decode(7, ""));
        assertEquals(Set.of(), PartitionLedger.decode(7, null));
        assertEquals(Set.of(), PartitionLedger.decode(7, "written by another tool"));
        assertEquals(Set.of(), PartitionLedger.decode(7, PartitionLedger.METADATA_PREFIX + "!!not base64!!"));
    }

    @Test
    void checkpointsBeyondTheSpanWaitForTheOffsetToMove() {
        PartitionLedger ledger = new PartitionLedger(0);
        for (long offset = 0; offset < 100; offset++) {
            ledger.add(offset, "r" + offset);
        }
        ledger.done(5);
        ledger.done(66);
        Commit narrow = ledger.nextCommit(64);
        assertArrayEquals(new long[] {5}, narrow.doneAbove(), "66 lies beyond a span of 64 above offset 0");
        ledger.committed(narrow, ledger.version());
        for (long offset = 0; offset < 5; offset++) {
            ledger.done(offset);
        }
        assertTrue(ledger.needsCommit());
        Commit next = ledger.nextCommit(64);
        assertEquals(6, next.offset());
        assertArrayEquals(new long[] {66}, next.doneAbove(), "with the offset at 6, 66 is within the span");
    }

    @Test
    void aSecondCheckpointOfARecordAsksForOneMoreCommit() {
        PartitionLedger ledger = new PartitionLedger(0);
        ledger.add(0, "a");
        ledger.add(1, "b");
        ledger.done(1);
        ledger.committed(ledger.nextCommit(PartitionLedger.DEFAULT_MAX_SPAN), ledger.version());
        assertFalse(ledger.done(1));
        assertFalse(ledger.needsCommit());
        ledger.recommit();
        assertTrue(ledger.needsCommit());
    }
}
