package dev.hark.tck;

import java.util.List;

/**
 * Every listener rule of {@code docs/SPEC.md}, one or more test methods each, named after it:
 * {@code required_L<rule>_…} for a MUST, {@code optional_L<rule>_…} for a SHOULD, and
 * {@code untested_L<rule>_…} for a rule the kit cannot judge from a running listener, reported as
 * skipped with where the rule is enforced instead. {@link ListenerVerification} implements it: a
 * rule listed here without a test leaves every verification class abstract, a test not listed here
 * fails its {@code @Override} — neither compiles — and a test of the kit's own build
 * ({@code OneRuleTextTest}) fails when a listener rule of the SPEC has no method here.
 *
 * <p>The R-rules are the runtime's promises: the kit relies on them (its crash schedules run the
 * runtime's exactly-once protocol) and the runtime's own tests prove them, so none is listed here.
 */
public interface ListenerVerificationRules {

    // ---------------------------------------------------------------- 1. Definition

    void required_L1_1_isAPublicConcreteTopLevelOrStaticNestedClass();

    void required_L1_2_hasAPublicNoArgConstructor();

    void required_L1_3_isRegisteredAsAService() throws Exception;

    void required_L1_4_argumentsSurviveAJacksonRoundTrip();

    void required_L1_5_eventsSurviveAJacksonRoundTripWithTheSameId();

    void untested_L1_6_itsIdStaysStableAcrossReleases();

    void required_L1_7_itsStaticInitializerAndConstructorCompletePromptly() throws Exception;

    void required_L1_8_itsIdIsUniqueOnTheClassPath() throws Exception;

    void untested_L1_9_aPluginIsAFolderOfReadableJarsOrOneJar();

    void untested_L1_10_aWorkflowDefinitionIsAPublicClassRegisteredAsAService();

    void untested_L1_11_aWorkflowDefinitionsNameIsAValidUniqueId();

    void untested_L1_12_noClassOfThePluginStopsTheProcess();

    void untested_L1_13_aWorkflowDefinitionWaitsOnlyOnListenersItsPluginSees();

    // ---------------------------------------------------------------- 2. Statelessness

    void required_L2_1_hasNoNonFinalInstanceFields();

    void required_L2_2_aFreshInstanceBehavesTheSame();

    void required_L2_2_aListenerLoadedAnewBehavesTheSame();

    // ---------------------------------------------------------------- 3. Polling

    void required_L3_1_pollForEventReturnsWithoutBlocking();

    void required_L3_1_pendingWaitsHoldNoThread() throws Exception;

    void required_L3_2_pollCompletesWithANonNullEvent();

    void required_L3_3_pollDoesNotConsumeTheEvent();

    void required_L3_3_noLossAcrossACrashBeforeTheCheckpoint(List<Step> schedule) throws Exception;

    void required_L3_4_aCancelledWaitConsumesNothing() throws Exception;

    void required_L3_4_aWaitAbandonedByShutdownConsumesNothing() throws Exception;

    void required_L3_4_aWaitCancelledWithTheEventInHandConsumesNothing();

    void required_L3_4_aWaitThatTimesOutConsumesNothing() throws Exception;

    void required_L3_5_aRedeliveredEventCarriesTheSameId();

    void required_L3_6_aPublishedEventReachesItsWaitWithinTheBound() throws Exception;

    void required_L3_7_concurrentWaitsWithDifferentArgsGetTheirOwnEvents() throws Exception;

    void optional_L3_8_endedWaitsLeaveNothingBehind() throws Exception;

    void required_L3_9_anUnsharedSourceNeverDeliversOneOccurrenceToTwoWaits() throws Exception;

    // ---------------------------------------------------------------- 4. Commit

    void required_L4_2_eventCheckpointedIsIdempotent();

    void required_L4_2_idempotentCommitAcrossACrashInsideTheCommit(List<Step> schedule) throws Exception;

    void optional_L4_3_eventCheckpointedDoesNotBlock() throws Exception;

    void required_L4_4_aCommittedEventIsNeverDeliveredAgain();

    void required_L4_4_noDuplicateAcrossACrashAfterTheCheckpoint(List<Step> schedule) throws Exception;

    void required_L4_5_competingWaitsTakeEachEventOnce() throws Exception;
}
