package dev.hark.tck.selftest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import dev.hark.tck.TckSettings;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.platform.engine.DiscoverySelector;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.EventType;

/**
 * The TCK proves itself: it is run, through the JUnit Platform's engine test kit, against a
 * correct listener (every rule passes) and against deliberately broken ones (each fails the rule
 * it breaks, and the failing test's name carries that rule's id).
 */
class TckSelfTest {

    private static final Map<String, String> KNOBS = Map.of(
            TckSettings.TRIES, "4",
            TckSettings.SEED, "4242",
            TckSettings.LIVENESS_MILLIS, "2000",
            TckSettings.NON_BLOCKING_MILLIS, "500",
            TckSettings.CONCURRENT_WAITS, "8",
            TckSettings.SETTLE_MILLIS, "100");

    @BeforeAll
    static void smallSettings() {
        KNOBS.forEach(System::setProperty);
    }

    @AfterAll
    static void defaultSettings() {
        KNOBS.keySet().forEach(System::clearProperty);
    }

    /** One test's outcome: method name, status, and the failure's message. */
    record Outcome(String test, TestExecutionResult.Status status, String message) {}

    static Map<String, Outcome> run(DiscoverySelector selector) {
        Map<String, Outcome> outcomes = new TreeMap<>();
        for (String engine : List.of("junit-jupiter", "jqwik")) {
            List<Event> finished = EngineTestKit.engine(engine).selectors(selector).execute().allEvents()
                    .filter(e -> e.getType() == EventType.FINISHED || e.getType() == EventType.SKIPPED)
                    .filter(e -> e.getTestDescriptor().isTest()).collect(Collectors.toList());
            for (Event event : finished) {
                String method = event.getTestDescriptor().getSource()
                        .filter(MethodSource.class::isInstance).map(s -> ((MethodSource) s).getMethodName())
                        .orElse(event.getTestDescriptor().getDisplayName());
                if (event.getType() == EventType.SKIPPED) {
                    outcomes.put(method, new Outcome(method, TestExecutionResult.Status.ABORTED,
                            event.getPayload(String.class).orElse("skipped")));
                    continue;
                }
                TestExecutionResult result = event.getRequiredPayload(TestExecutionResult.class);
                outcomes.put(method, new Outcome(method, result.getStatus(),
                        result.getThrowable().map(Throwable::getMessage).orElse("")));
            }
        }
        return outcomes;
    }

    static TreeSet<String> failedRules(Map<String, Outcome> outcomes) {
        return outcomes.values().stream().filter(o -> o.status() == TestExecutionResult.Status.FAILED)
                .map(o -> ruleOf(o.test())).collect(Collectors.toCollection(TreeSet::new));
    }

    /** {@code required_L3_3_pollDoesNotConsumeTheEvent} → {@code L3.3}. */
    static String ruleOf(String test) {
        String[] parts = test.split("_");
        return parts[1] + "." + parts[2];
    }

    static String describe(Map<String, Outcome> outcomes) {
        return outcomes.values().stream().map(o -> String.format("  %-8s %s%s", o.status(), o.test(),
                o.status() == TestExecutionResult.Status.SUCCESSFUL ? "" : "\n           " + firstLines(o.message())))
                .collect(Collectors.joining("\n"));
    }

    private static String firstLines(String message) {
        if (message == null) {
            return "";
        }
        String[] lines = message.split("\n");
        return String.join("\n           ", List.of(lines).subList(0, Math.min(lines.length, 8)));
    }

    @Test
    void aCorrectListenerPassesEveryRule() {
        Map<String, Outcome> outcomes = run(selectClass(Subjects.GoodVerification.class));
        assertEquals(22, outcomes.size(), describe(outcomes));
        assertTrue(outcomes.values().stream().allMatch(o -> o.status() == TestExecutionResult.Status.SUCCESSFUL),
                "every rule passes, none skipped:\n" + describe(outcomes));
    }

    static Stream<Arguments> brokenListeners() {
        return Stream.of(
                Arguments.of(Subjects.CommitsAtPollTimeVerification.class, "L3.3",
                        List.of("required_L3_3_pollDoesNotConsumeTheEvent", "required_L3_3_noLossAcrossACrashBeforeTheCheckpoint")),
                Arguments.of(Subjects.NeverCommitsVerification.class, "L4.4",
                        List.of("required_L4_4_aCommittedEventIsNeverDeliveredAgain", "required_L4_4_noDuplicateAcrossACrashAfterTheCheckpoint")),
                Arguments.of(Subjects.NonIdempotentCommitVerification.class, "L4.2",
                        List.of("required_L4_2_eventCheckpointedIsIdempotent")),
                Arguments.of(Subjects.MutableFieldVerification.class, "L2.1",
                        List.of("required_L2_1_hasNoNonFinalInstanceFields")),
                Arguments.of(Subjects.RemembersDeliveredVerification.class, "L2.2",
                        List.of("required_L2_2_aFreshInstanceBehavesTheSame")),
                Arguments.of(Subjects.NoNoArgConstructorVerification.class, "L1.2",
                        List.of("required_L1_2_hasAPublicNoArgConstructor")),
                Arguments.of(Subjects.BlockingPollVerification.class, "L3.1",
                        List.of("required_L3_1_pollForEventReturnsWithoutBlocking", "required_L3_1_pendingWaitsHoldNoThread")),
                Arguments.of(Subjects.ConsumesWhenCancelledVerification.class, "L3.4",
                        List.of("required_L3_4_aCancelledWaitConsumesNothing", "required_L3_4_aWaitAbandonedByShutdownConsumesNothing")),
                Arguments.of(Subjects.UnstableIdVerification.class, "L1.5",
                        List.of("required_L1_5_eventsSurviveAJacksonRoundTripWithTheSameId")));
    }

    @ParameterizedTest(name = "{0} fails {1}")
    @org.junit.jupiter.params.provider.MethodSource("brokenListeners")
    void aBrokenListenerFailsTheRuleItBreaks(Class<?> verification, String rule, List<String> mustFail) {
        Map<String, Outcome> outcomes = run(selectClass(verification));
        String report = verification.getSimpleName() + ":\n" + describe(outcomes);
        System.out.println(report);
        for (String test : mustFail) {
            Outcome outcome = outcomes.get(test);
            assertTrue(outcome != null && outcome.status() == TestExecutionResult.Status.FAILED,
                    test + " must fail\n" + report);
            assertTrue(outcome.message().contains("[" + rule), "the message cites " + rule + ": " + outcome.message());
        }
        assertTrue(failedRules(outcomes).contains(rule), "the broken rule fails:\n" + report);
    }

    @Test
    void theLivenessKnobBoundsTheWait() {
        System.setProperty(TckSettings.LIVENESS_MILLIS, "700");
        try {
            long start = System.nanoTime();
            Map<String, Outcome> outcomes = run(selectMethod(Subjects.SilentVerification.class,
                    "required_L3_6_aPublishedEventReachesItsWaitWithinTheBound"));
            long millis = (System.nanoTime() - start) / 1_000_000;
            Outcome outcome = outcomes.get("required_L3_6_aPublishedEventReachesItsWaitWithinTheBound");
            assertEquals(TestExecutionResult.Status.FAILED, outcome.status(), describe(outcomes));
            assertTrue(outcome.message().contains("[L3.6]") && outcome.message().contains("700 ms"), outcome.message());
            assertTrue(millis < 10_000, "gave up after the bound, took " + millis + " ms");
        } finally {
            System.setProperty(TckSettings.LIVENESS_MILLIS, KNOBS.get(TckSettings.LIVENESS_MILLIS));
        }
    }

    @Test
    void aCapabilityTheFixtureLacksIsReportedAsSkippedWithTheReason() {
        Map<String, Outcome> outcomes = run(selectClass("dev.hark.tck.builtin.HttpListenerVerificationTest"));
        Outcome property = outcomes.get("required_L3_3_noLossAcrossACrashBeforeTheCheckpoint");
        assertEquals(TestExecutionResult.Status.ABORTED, property.status(), describe(outcomes));
        assertTrue(property.message().contains("DURABLE_CHANNEL") && property.message().contains("sender"), property.message());
        Outcome plain = outcomes.get("required_L3_5_aRedeliveredEventCarriesTheSameId");
        assertEquals(TestExecutionResult.Status.ABORTED, plain.status(), describe(outcomes));
        assertTrue(outcomes.values().stream().noneMatch(o -> o.status() == TestExecutionResult.Status.FAILED), describe(outcomes));
    }
}
