package dev.hark.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The commit point: only past the run of checkpointed records from the committed offset. */
class PartitionLedgerTest {

    @Test
    void outOfOrderCheckpointsCommitOnlyTheContiguousRun() {
        PartitionLedger ledger = new PartitionLedger(5);
        for (long offset = 5; offset < 10; offset++) {
            ledger.add(offset, "r" + offset);
        }
        ledger.done(7);
        ledger.done(8);
        assertEquals(5, ledger.commitPoint(), "5 and 6 are not checkpointed: nothing may be committed");
        ledger.done(5);
        assertEquals(6, ledger.commitPoint());
        ledger.done(6);
        assertEquals(9, ledger.commitPoint(), "5..8 checkpointed: commit 9, not past 9");
        ledger.committedTo(9);
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
        assertEquals(null, ledger.add(3, "old"));
        assertEquals(true, ledger.done(3));
        assertEquals(false, ledger.done(4));
        assertEquals(4, ledger.commitPoint());
    }
}
