package dev.hark.runtime.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class RetryLogTest {

    private final AtomicLong now = new AtomicLong();
    private final RetryLog log = new RetryLog(now::get, Duration.ofSeconds(10));

    @Test
    void aWaitWarnsAtItsFirstFailureAndThenAtEveryTenthOnly() {
        List<Integer> warned = IntStream.rangeClosed(1, 35)
                .filter(attempt -> {
                    now.addAndGet(Duration.ofSeconds(30).toNanos()); // a poll's longest back-off
                    return log.admit("timer", attempt) >= 0;
                })
                .boxed()
                .toList();
        assertEquals(List.of(1, 10, 20, 30), warned);
    }

    @Test
    void theWaitsOfOneListenerShareOneLinePerIntervalAndTheNextLineCountsTheOnesHeldBack() {
        assertEquals(0, log.admit("queue", 1), "the first failure is logged");
        for (int wait = 0; wait < 999; wait++) {
            assertEquals(-1, log.admit("queue", 1), "held back within the interval");
        }
        assertEquals(0, log.admit("other", 1), "another listener has its own budget");
        now.addAndGet(Duration.ofSeconds(10).toNanos());
        assertEquals(999, log.admit("queue", 1), "the next line counts the ones held back");
        assertEquals(-1, log.admit("queue", 2), "not worth a line, whatever the budget");
        now.addAndGet(Duration.ofSeconds(10).toNanos());
        assertEquals(0, log.admit("queue", 10), "the count starts over");
    }
}
