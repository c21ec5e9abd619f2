package dev.hark.runtime.event;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class RetryLogTest {

    @Test
    void warnsAtTheFirstFailureAndThenAtEveryTenthOnly() {
        List<Integer> warned = IntStream.rangeClosed(1, 35).filter(RetryLog::warns).boxed().toList();
        assertEquals(List.of(1, 10, 20, 30), warned);
    }
}
