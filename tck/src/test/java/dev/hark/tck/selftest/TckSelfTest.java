package dev.hark.tck.selftest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import dev.hark.tck.ListenerVerificationRules;
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
import org.junit.jupiter.params.provider.ValueSource;
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

    /** Whole-class runs, kept for the tests that look at one subject from several sides. */
    private static final Map<Class<?>, Map<String, Outcome>> CLASS_RUNS =
            new java.util.concurrent.ConcurrentHashMap<>();

    static Map<String, Outcome> runClass(Class<?> verification) {
        return CLASS_RUNS.computeIfAbsent(verification, c -> run(selectClass(c)));
    }

    static Map<String, Outcome> run(DiscoverySelector selector) {
        Map<String, Outcome> outcomes = new TreeMap<>();
        for (String engine : List.of("junit-jupiter", "jqwik")) {
            // a failing crash property shrinks; a short bound keeps the broken subjects quick
            List<Event> finished = EngineTestKit.engine(engine)
                    .selectors(selector)
                    .configurationParameter("jqwik.shrinking.bounded.seconds", "2")
                    .execute()
                    .allEvents()
                    .filter(e -> e.getType() == EventType.FINISHED || e.getType() == EventType.SKIPPED)
                    .filter(e -> e.getTestDescriptor().isTest())
                    .collect(Collectors.toList());
            for (Event event : finished) {
                String method = event.getTestDescriptor()
                        .getSource()
                        .filter(MethodSource.class::isInstance)
                        .map(s -> ((MethodSource) s).getMethodName())
                        .orElse(event.getTestDescriptor().getDisplayName());
                if (event.getType() == EventType.SKIPPED) {
                    outcomes.put(
                            method,
                            new Outcome(
                                    method,
                                    TestExecutionResult.Status.ABORTED,
                                    event.getPayload(String.class).orElse("skipped")));
                    continue;
                }
                TestExecutionResult result = event.getRequiredPayload(TestExecutionResult.class);
                outcomes.put(
                        method,
                        new Outcome(
                                method,
                                result.getStatus(),
                                result.getThrowable().map(Throwable::getMessage).orElse("")));
            }
        }
        return outcomes;
    }

    /** The rules failed: each failing test's own, and the one its message starts with (where the evidence points). */
    static TreeSet<String> failedRules(Map<String, Outcome> outcomes) {
        TreeSet<String> rules = new TreeSet<>();
        for (Outcome o : outcomes.values()) {
            if (o.status() == TestExecutionResult.Status.FAILED) {
                rules.add(ruleOf(o.test()));
                java.util.regex.Matcher cited =
                        java.util.regex.Pattern.compile("^\\[(L\\d+\\.\\d+)\\]").matcher(o.message());
                if (cited.find()) {
                    rules.add(cited.group(1));
                }
            }
        }
        return rules;
    }

    /** {@code required_L3_3_pollDoesNotConsumeTheEvent} → {@code L3.3}. */
    static String ruleOf(String test) {
        String[] parts = test.split("_");
        return parts[1] + "." + parts[2];
    }

    static String describe(Map<String, Outcome> outcomes) {
        return outcomes.values().stream()
                .map(o -> String.format(
                        "  %-8s %s%s",
                        o.status(),
                        o.test(),
                        o.status() == TestExecutionResult.Status.SUCCESSFUL
                                ? ""
                                : "\n           " + firstLines(o.message())))
                .collect(Collectors.joining("\n"));
    }

    private static String firstLines(String message) {
        if (message == null) {
            return "";
        }
        String[] lines = message.split("\n");
        return String.join("\n           ", List.of(lines).subList(0, Math.min(lines.length, 8)));
    }

    /**
     * Correct listeners: the waiter-fed memory queue, and a table queue polled on the context's
     * timer. Every rule of the rules interface is run; the rules the kit cannot judge are skipped
     * with why, and L3.9 (they are not {@code @UnsharedSource}) as not applying.
     */
    @ParameterizedTest(name = "{0} passes every rule")
    @ValueSource(classes = {Subjects.GoodVerification.class, Subjects.TableQueueVerification.class})
    void aCorrectListenerPassesEveryRule(Class<?> verification) {
        Map<String, Outcome> outcomes = run(selectClass(verification));
        assertEquals(ruleMethods(), new TreeSet<>(outcomes.keySet()), describe(outcomes));
        for (Outcome o : outcomes.values()) {
            if (o.test().startsWith("untested_")) {
                assertEquals(TestExecutionResult.Status.ABORTED, o.status(), describe(outcomes));
                assertTrue(o.message().startsWith("[" + ruleOf(o.test()) + "] untested: "), o.message());
            } else if (o.test().startsWith("required_L3_9_")) {
                assertEquals(TestExecutionResult.Status.ABORTED, o.status(), describe(outcomes));
                assertTrue(o.message().startsWith("[L3.9] does not apply: "), o.message());
            } else {
                assertEquals(
                        TestExecutionResult.Status.SUCCESSFUL,
                        o.status(),
                        "every rule passes, none skipped:\n" + describe(outcomes));
            }
        }
    }

    /** The rules a kit run reports: one test per method of the rules interface. */
    static TreeSet<String> ruleMethods() {
        return Stream.of(ListenerVerificationRules.class.getMethods())
                .map(java.lang.reflect.Method::getName)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    void theRulesTheKitCannotJudgeSayWhereTheyAreEnforced() {
        Map<String, Outcome> outcomes = runClass(Subjects.GoodVerification.class);
        for (String loaderRule : List.of(
                "untested_L1_9_aPluginIsAFolderOfReadableJarsOrOneJar",
                "untested_L1_10_aWorkflowDefinitionIsAPublicClassRegisteredAsAService",
                "untested_L1_11_aWorkflowDefinitionsNameIsAValidUniqueId",
                "untested_L1_12_noClassOfThePluginStopsTheProcess",
                "untested_L1_13_aWorkflowDefinitionWaitsOnlyOnListenersItsPluginSees")) {
            assertTrue(outcomes.get(loaderRule).message().contains("hark plugins check"), describe(outcomes));
        }
        assertTrue(
                outcomes.get("untested_L1_6_itsIdStaysStableAcrossReleases")
                        .message()
                        .contains("cannot resume"),
                describe(outcomes));
    }

    static Stream<Arguments> brokenListeners() {
        return Stream.of(
                Arguments.of(
                        Subjects.CommitsAtPollTimeVerification.class,
                        "L3.3",
                        List.of(
                                "required_L3_3_pollDoesNotConsumeTheEvent",
                                "required_L3_3_noLossAcrossACrashBeforeTheCheckpoint")),
                Arguments.of(
                        Subjects.NeverCommitsVerification.class,
                        "L4.4",
                        List.of(
                                "required_L4_4_aCommittedEventIsNeverDeliveredAgain",
                                "required_L4_4_noDuplicateAcrossACrashAfterTheCheckpoint")),
                Arguments.of(
                        Subjects.NonIdempotentCommitVerification.class,
                        "L4.2",
                        List.of("required_L4_2_eventCheckpointedIsIdempotent")),
                Arguments.of(
                        Subjects.MutableFieldVerification.class,
                        "L2.1",
                        List.of("required_L2_1_hasNoNonFinalInstanceFields")),
                Arguments.of(
                        Subjects.RemembersDeliveredVerification.class,
                        "L2.2",
                        List.of("required_L2_2_aFreshInstanceBehavesTheSame")),
                Arguments.of(
                        Subjects.NoNoArgConstructorVerification.class,
                        "L1.2",
                        List.of("required_L1_2_hasAPublicNoArgConstructor")),
                Arguments.of(
                        Subjects.BlockingPollVerification.class,
                        "L3.1",
                        List.of(
                                "required_L3_1_pollForEventReturnsWithoutBlocking",
                                "required_L3_1_pendingWaitsHoldNoThread")),
                Arguments.of(
                        Subjects.ConsumesWhenCancelledVerification.class,
                        "L3.4",
                        List.of(
                                "required_L3_4_aCancelledWaitConsumesNothing",
                                "required_L3_4_aWaitThatTimesOutConsumesNothing",
                                "required_L3_4_aWaitAbandonedByShutdownConsumesNothing")),
                Arguments.of(
                        Subjects.UnstableIdVerification.class,
                        "L1.5",
                        List.of("required_L1_5_eventsSurviveAJacksonRoundTripWithTheSameId")),
                Arguments.of(
                        Subjects.NewIdPerPollVerification.class,
                        "L3.5",
                        List.of(
                                "required_L4_5_competingWaitsTakeEachEventOnce",
                                "required_L3_5_aRedeliveredEventCarriesTheSameId")),
                Arguments.of(
                        Subjects.SharedButDeclaredUnsharedVerification.class,
                        "L3.9",
                        List.of(
                                "required_L4_5_competingWaitsTakeEachEventOnce",
                                "required_L3_9_anUnsharedSourceNeverDeliversOneOccurrenceToTwoWaits")),
                Arguments.of(
                        Subjects.NotPublicVerification.class,
                        "L1.1",
                        List.of("required_L1_1_isAPublicConcreteTopLevelOrStaticNestedClass")),
                Arguments.of(
                        Subjects.ThrowsInConstructorVerification.class,
                        "L1.7",
                        List.of("required_L1_7_itsStaticInitializerAndConstructorCompletePromptly")),
                Arguments.of(
                        Subjects.ConsumesSeenEventOnCancelVerification.class,
                        "L3.4",
                        List.of("required_L3_4_aWaitCancelledWithTheEventInHandConsumesNothing")),
                Arguments.of(
                        Subjects.ConsumesLaterVerification.class,
                        "L3.3",
                        List.of("required_L3_3_pollDoesNotConsumeTheEvent")),
                Arguments.of(
                        Subjects.StaticAckBufferVerification.class,
                        "L2.2",
                        List.of("required_L2_2_aListenerLoadedAnewBehavesTheSame")),
                Arguments.of(
                        Subjects.NullEventVerification.class,
                        "L3.2",
                        List.of(
                                "required_L3_2_pollCompletesWithANonNullEvent",
                                "required_L3_4_aCancelledWaitConsumesNothing",
                                "required_L3_4_aWaitAbandonedByShutdownConsumesNothing")));
    }

    @ParameterizedTest(name = "{0} fails {1}")
    @org.junit.jupiter.params.provider.MethodSource("brokenListeners")
    void aBrokenListenerFailsTheRuleItBreaks(Class<?> verification, String rule, List<String> mustFail) {
        Map<String, Outcome> outcomes = runClass(verification);
        String report = verification.getSimpleName() + ":\n" + describe(outcomes);
        System.out.println(report);
        for (String test : mustFail) {
            Outcome outcome = outcomes.get(test);
            assertTrue(
                    outcome != null && outcome.status() == TestExecutionResult.Status.FAILED,
                    test + " must fail\n" + report);
            assertTrue(outcome.message().contains("[" + rule), "the message cites " + rule + ": " + outcome.message());
        }
        assertTrue(failedRules(outcomes).contains(rule), "the broken rule fails:\n" + report);
    }

    @Test
    void aFailureNamesTheRuleItsEvidencePointsTo() {
        // a duplicate (or a wait starved by an event the commit did not forget) seen by the L3.3
        // crash schedule is reported as the L4.4 breach it is
        Map<String, Outcome> neverCommits = run(selectMethod(
                Subjects.NeverCommitsVerification.class,
                "required_L3_3_noLossAcrossACrashBeforeTheCheckpoint",
                "java.util.List"));
        Outcome property = neverCommits.get("required_L3_3_noLossAcrossACrashBeforeTheCheckpoint");
        assertEquals(TestExecutionResult.Status.FAILED, property.status(), describe(neverCommits));
        assertTrue(
                property.message().startsWith("[L4.4]") && property.message().contains("seen by the L3.3"),
                property.message());

        // a workflow the runtime failed is reported with its cause first, not as a consumed event
        Map<String, Outcome> nullEvent = runClass(Subjects.NullEventVerification.class);
        for (String test : List.of(
                "required_L3_4_aCancelledWaitConsumesNothing",
                "required_L3_4_aWaitAbandonedByShutdownConsumesNothing")) {
            Outcome outcome = nullEvent.get(test);
            assertEquals(TestExecutionResult.Status.FAILED, outcome.status(), describe(nullEvent));
            assertTrue(
                    outcome.message().startsWith("[L3.2] workflow ")
                            && outcome.message().contains("failed: ")
                            && outcome.message().contains("seen while checking L3.4")
                            && !outcome.message().contains("consumed it"),
                    outcome.message());
        }

        // a blocking poll: the runtime's L3.4 checks cannot judge anything, they are skipped citing L3.1
        Map<String, Outcome> blocking = runClass(Subjects.BlockingPollVerification.class);
        for (String test : List.of(
                "required_L3_4_aCancelledWaitConsumesNothing",
                "required_L3_4_aWaitThatTimesOutConsumesNothing",
                "required_L3_4_aWaitAbandonedByShutdownConsumesNothing",
                "required_L4_5_competingWaitsTakeEachEventOnce")) {
            Outcome outcome = blocking.get(test);
            assertEquals(TestExecutionResult.Status.ABORTED, outcome.status(), describe(blocking));
            assertTrue(outcome.message().startsWith("precondition L3.1"), outcome.message());
        }
    }

    @Test
    void aClassThatIsNotPublicIsAnL1_1BreachNotAnL1_2One() {
        Outcome constructor =
                runClass(Subjects.NotPublicVerification.class).get("required_L1_2_hasAPublicNoArgConstructor");
        assertEquals(TestExecutionResult.Status.ABORTED, constructor.status(), constructor.message());
        assertTrue(constructor.message().startsWith("precondition L1.1 broken"), constructor.message());
    }

    @Test
    void aConstructorSlowerThanTheLoadersBoundFailsL1_7() {
        String test = "required_L1_7_itsStaticInitializerAndConstructorCompletePromptly";
        System.setProperty("hark.plugins.load-timeout-ms", "300");
        try {
            Outcome slow = run(selectMethod(Subjects.SlowConstructorVerification.class, test))
                    .get(test);
            assertEquals(TestExecutionResult.Status.FAILED, slow.status(), slow.message());
            assertTrue(slow.message().startsWith("[L1.7]") && slow.message().contains("within 300 ms"), slow.message());
        } finally {
            System.clearProperty("hark.plugins.load-timeout-ms");
        }
        Outcome withinTheDefault = run(selectMethod(Subjects.SlowConstructorVerification.class, test))
                .get(test);
        assertEquals(TestExecutionResult.Status.SUCCESSFUL, withinTheDefault.status(), withinTheDefault.message());
    }

    @Test
    void aListenerWhoseClassIsTwiceOnTheClassPathFailsL1_8() {
        String test = "required_L1_8_itsIdIsUniqueOnTheClassPath";
        Outcome twice = run(selectMethod(Subjects.TwiceOnTheClassPathVerification.class, test))
                .get(test);
        assertEquals(TestExecutionResult.Status.FAILED, twice.status(), twice.message());
        assertTrue(twice.message().startsWith("[L1.8]") && twice.message().contains("2 copies"), twice.message());
    }

    @Test
    void theLateConsumeKnobSetsHowLongThePollIsWatched() {
        // consumed 50 ms after the poll: caught with the default window, missed with a window of 0
        System.setProperty(TckSettings.LATE_CONSUME_MILLIS, "0");
        try {
            Outcome missed = run(selectMethod(
                            Subjects.ConsumesLaterVerification.class, "required_L3_3_pollDoesNotConsumeTheEvent"))
                    .get("required_L3_3_pollDoesNotConsumeTheEvent");
            assertEquals(TestExecutionResult.Status.SUCCESSFUL, missed.status(), missed.message());
        } finally {
            System.clearProperty(TckSettings.LATE_CONSUME_MILLIS);
        }
        Outcome caught = run(selectMethod(
                        Subjects.ConsumesLaterVerification.class, "required_L3_3_pollDoesNotConsumeTheEvent"))
                .get("required_L3_3_pollDoesNotConsumeTheEvent");
        assertEquals(TestExecutionResult.Status.FAILED, caught.status(), caught.message());
        assertTrue(
                caught.message().contains("within 200 ms (" + TckSettings.LATE_CONSUME_MILLIS + ")"), caught.message());
    }

    @Test
    void competingWaitsOfAnUnsharedSourceWithOneWaitPerChannelAreSkippedWithTheReason() {
        Map<String, Outcome> timer = run(selectMethod(
                "dev.hark.tck.builtin.TimerListenerVerificationTest", "required_L4_5_competingWaitsTakeEachEventOnce"));
        Outcome outcome = timer.get("required_L4_5_competingWaitsTakeEachEventOnce");
        assertEquals(TestExecutionResult.Status.ABORTED, outcome.status(), describe(timer));
        assertTrue(
                outcome.message().contains("MULTIPLE_EVENTS_PER_CHANNEL")
                        && outcome.message().contains("@UnsharedSource"),
                outcome.message());
    }

    @Test
    void theLivenessKnobBoundsTheWait() {
        System.setProperty(TckSettings.LIVENESS_MILLIS, "700");
        try {
            long start = System.nanoTime();
            Map<String, Outcome> outcomes = run(selectMethod(
                    Subjects.SilentVerification.class, "required_L3_6_aPublishedEventReachesItsWaitWithinTheBound"));
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
        assertTrue(
                property.message().contains("DURABLE_CHANNEL")
                        && property.message().contains("sender"),
                property.message());
        Outcome plain = outcomes.get("required_L3_5_aRedeliveredEventCarriesTheSameId");
        assertEquals(TestExecutionResult.Status.ABORTED, plain.status(), describe(outcomes));
        assertTrue(
                outcomes.values().stream().noneMatch(o -> o.status() == TestExecutionResult.Status.FAILED),
                describe(outcomes));
    }
}
