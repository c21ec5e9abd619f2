package dev.hark.runtime.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.hark.runtime.protocol.Inbox.Taken;
import org.junit.jupiter.api.Test;

/** The inbox's record of which keys of a workflow already took a message (409 rather than 404). */
class InboxTakenTest {

    private static Taken of(String... keyThenId) {
        Taken list = null;
        for (int i = 0; i < keyThenId.length; i += 2) {
            Taken added = new Taken(keyThenId[i], keyThenId[i + 1], null);
            list = list == null ? added : Taken.merge(list, added);
        }
        return list;
    }

    @Test
    void eachKeyAnswersWithTheMessageThatTookIt() {
        Taken taken = of("a", "m1", "b", "m2", "c", "m3");
        assertEquals("m1", taken.messageIdFor("a"));
        assertEquals("m2", taken.messageIdFor("b"));
        assertEquals("m3", taken.messageIdFor("c"));
        assertNull(taken.messageIdFor("d"));
    }

    @Test
    void takingAKeyAgainReplacesItsMessageAndKeepsTheOthers() {
        Taken taken = of("a", "m1", "b", "m2", "a", "m3");
        assertEquals("m3", taken.messageIdFor("a"));
        assertEquals("m2", taken.messageIdFor("b"));
        assertNull(taken.without("a", null).messageIdFor("a"), "one entry per key, so one removal clears it");
    }

    @Test
    void removingAKeyLeavesTheOthersAndTheLastRemovalEmptiesTheList() {
        Taken taken = of("a", "m1", "b", "m2", "c", "m3");
        Taken withoutB = taken.without("b", null);
        assertNull(withoutB.messageIdFor("b"));
        assertEquals("m1", withoutB.messageIdFor("a"));
        assertEquals("m3", withoutB.messageIdFor("c"));
        assertEquals("m2", taken.messageIdFor("b"), "the list is immutable: the old one is unchanged");
        assertNull(withoutB.without("a", null).without("c", null));
    }

    @Test
    void aFailedDeliveryRemovesItsKeyOnlyIfItsMessageStillHoldsIt() {
        Taken taken = of("a", "m1", "b", "m2");
        assertSame(taken, taken.without("a", "other-message"), "a newer message took the key since");
        assertNull(taken.without("a", "m1").messageIdFor("a"));
        assertEquals("m2", taken.without("a", "m1").messageIdFor("b"));
        assertSame(taken, taken.without("z", null), "an absent key changes nothing");
    }
}
