/**
 * The listener conformance kit (TCK). A listener author adds {@code dev.hark:hark-tck} as a test
 * dependency, extends {@link dev.hark.tck.ListenerVerification} with a small
 * {@link dev.hark.tck.SourceFixture}, and runs it with JUnit 5 and jqwik. Every test is named after
 * the rule of {@code docs/SPEC.md} it checks, as {@link dev.hark.tck.ListenerVerificationRules}
 * lists them ({@code required_L3_3_…} for a MUST, {@code optional_L3_8_…} for a SHOULD,
 * {@code untested_L1_6_…} for a rule the kit cannot judge, skipped with why); a capability the
 * fixture declares unsupported skips the tests that need it, with the reason. The crash schedules run the listener in a real runtime
 * that is crashed in-process at chosen points of the exactly-once protocol and restarted on the same
 * storage ({@link dev.hark.tck.CrashableStore}), with the listener's classes loaded anew so that
 * nothing kept in static fields survives. Competing waits put several workflows on one channel.
 */
package dev.hark.tck;
