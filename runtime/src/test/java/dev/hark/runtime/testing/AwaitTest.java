package dev.hark.runtime.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The shared poll helper: every test that waits relies on it returning early and failing with what it saw. */
class AwaitTest {

    @Test
    void untilReturnsOnceTheConditionHolds() throws InterruptedException {
        AtomicInteger checks = new AtomicInteger();
        Await.until(() -> checks.incrementAndGet() == 3, () -> "checked " + checks);
        assertEquals(3, checks.get());
    }

    @Test
    void untilGivesUpAfterItsTimeoutShowingTheState() {
        AssertionError e = assertThrows(
                AssertionError.class, () -> Await.until(Duration.ofMillis(50), () -> false, () -> "expected x, saw y"));
        assertEquals("never happened within 50 ms: expected x, saw y", e.getMessage());
    }

    @Test
    void valueReturnsTheFirstReadingThatIsDone() throws Exception {
        AtomicInteger readings = new AtomicInteger();
        assertEquals(3, Await.value(readings::incrementAndGet, n -> n >= 3, n -> "read " + n));
        assertEquals(3, readings.get(), "no reading after the one that is done");
    }

    @Test
    void valueGivesUpShowingTheLastReading() {
        AtomicInteger readings = new AtomicInteger();
        AssertionError e = assertThrows(
                AssertionError.class,
                () -> Await.value(Duration.ofSeconds(1), readings::incrementAndGet, n -> false, n -> "last " + n));
        assertEquals("never happened within 1 s: last " + readings.get(), e.getMessage());
    }

    @Test
    void aReadingThatThrowsEndsTheWaitWithItsException() {
        AtomicInteger readings = new AtomicInteger();
        IOException e = assertThrows(
                IOException.class,
                () -> Await.value(
                        () -> {
                            readings.incrementAndGet();
                            throw new IOException("unreadable");
                        },
                        v -> true,
                        v -> "never shown"));
        assertEquals("unreadable", e.getMessage());
        assertEquals(1, readings.get());
    }
}
