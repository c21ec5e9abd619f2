package dev.hark.workflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DefinitionInputTest {

    private static final Duration MAX = Duration.ofDays(100);

    private static Duration seconds(Object value) {
        return DefinitionInput.seconds(Map.of("s", value), "s", Duration.ofSeconds(8), MAX);
    }

    @Test
    void fractionsAreHonouredNotTruncated() {
        assertEquals(Duration.ofMillis(1500), seconds(1.5));
        assertEquals(Duration.ofSeconds(60), seconds(60));
        assertEquals(Duration.ofNanos(1), seconds(new BigDecimal("0.000000001")));
        assertEquals(Duration.ofSeconds(8), DefinitionInput.seconds(Map.of(), "s", Duration.ofSeconds(8), MAX));
    }

    @Test
    void overflowNegativeAndNonNumbersAreRefusedNamingTheField() {
        for (Object bad : new Object[] {
            1e300,
            new BigInteger("99999999999999999999999"),
            -1,
            "5",
            true,
            Long.MAX_VALUE,
            new BigDecimal("1.0000000001")
        }) {
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> seconds(bad), bad.toString());
            assertTrue(e.getMessage().startsWith("s "), e.getMessage());
        }
    }

    @Test
    void integersAreWholeAndInRange() {
        assertEquals(5, DefinitionInput.integer(Map.of("n", 5), "n", 1, 0, 10));
        assertEquals(1, DefinitionInput.integer(Map.of(), "n", 1, 0, 10));
        assertEquals(5, DefinitionInput.integer(Map.of("n", 5.0), "n", 1, 0, 10));
        assertThrows(IllegalArgumentException.class, () -> DefinitionInput.integer(Map.of("n", 1.5), "n", 1, 0, 10));
        assertThrows(IllegalArgumentException.class, () -> DefinitionInput.integer(Map.of("n", 11), "n", 1, 0, 10));
        assertThrows(
                IllegalArgumentException.class,
                () -> DefinitionInput.integer(Map.of("n", new BigInteger("99999999999999999999999")), "n", 1, 0, 10));
    }
}
