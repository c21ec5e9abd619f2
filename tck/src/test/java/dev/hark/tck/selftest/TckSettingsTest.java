package dev.hark.tck.selftest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.hark.tck.TckSettings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.EventType;

/** The TCK's knobs: read from system properties, checked, and really applied to the properties. */
class TckSettingsTest {

    private static final List<String> KEYS = List.of(
            TckSettings.TRIES,
            TckSettings.SEED,
            TckSettings.LIVENESS_MILLIS,
            TckSettings.MAX_EVENTS,
            TckSettings.LATE_CONSUME_MILLIS);

    @AfterEach
    void clear() {
        KEYS.forEach(System::clearProperty);
    }

    @Test
    void systemPropertiesOverrideTheDefaults() {
        TckSettings defaults = TckSettings.current();
        assertEquals(8, defaults.tries());
        assertEquals(Optional.empty(), defaults.seed());
        assertEquals(Duration.ofMillis(200), defaults.lateConsume());
        System.setProperty(TckSettings.TRIES, "3");
        System.setProperty(TckSettings.LATE_CONSUME_MILLIS, "75");
        System.setProperty(TckSettings.SEED, "777");
        System.setProperty(TckSettings.LIVENESS_MILLIS, "1500");
        TckSettings set = TckSettings.current();
        assertEquals(3, set.tries());
        assertEquals(Optional.of("777"), set.seed());
        assertEquals(Duration.ofMillis(1_500), set.liveness());
        assertEquals(Duration.ofMillis(75), set.lateConsume());
    }

    @Test
    void aBadKnobIsRefusedWithItsNameAndValue() {
        System.setProperty(TckSettings.TRIES, "many");
        IllegalArgumentException notANumber = assertThrows(IllegalArgumentException.class, TckSettings::current);
        assertTrue(
                notANumber.getMessage().contains(TckSettings.TRIES)
                        && notANumber.getMessage().contains("many"),
                notANumber.getMessage());
        System.setProperty(TckSettings.TRIES, "0");
        IllegalArgumentException tooSmall = assertThrows(IllegalArgumentException.class, TckSettings::current);
        assertTrue(tooSmall.getMessage().contains("at least 1"), tooSmall.getMessage());
    }

    @Test
    void triesAndSeedReachTheCrashScheduleProperties() {
        System.setProperty(TckSettings.TRIES, "3");
        System.setProperty(TckSettings.SEED, "777");
        System.setProperty(TckSettings.MAX_EVENTS, "2");
        List<String> reports = EngineTestKit.engine("jqwik")
                .configurationParameter("jqwik.reporting.onlyfailures", "false")
                .configurationParameter("jqwik.reporting.usejunitplatform", "true")
                .selectors(selectClass("dev.hark.tck.examples.FolderQueueListenerVerificationTest"))
                .execute()
                .allEvents()
                .filter(e -> e.getType() == EventType.REPORTING_ENTRY_PUBLISHED)
                .map(e -> e.getRequiredPayload(ReportEntry.class).getKeyValuePairs())
                .map(Map::toString)
                .collect(Collectors.toList());
        assertTrue(!reports.isEmpty(), "jqwik published no report");
        for (String report : reports) {
            assertTrue(report.contains("tries = 3"), "tries knob not applied: " + report);
            assertTrue(report.contains("seed = 777"), "seed knob not applied: " + report);
        }
    }
}
