package dev.hark.runtime;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hark.api.EventListener;
import dev.hark.runtime.testing.BadListeners;
import dev.hark.runtime.testing.Tasks;
import dev.hark.workflow.Dag;
import dev.hark.workflow.Node;
import org.junit.jupiter.api.Test;

/** Mistakes in a definition are refused where the DAG is built, with a message naming the problem. */
class DefinitionValidationTest {

    @Test
    @SuppressWarnings({"unchecked", "rawtypes"})
    void aClassThatIsNotAnEventListenerIsRefused() {
        Class raw = String.class;
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> Dag.waitForEvent((Class<EventListener<Object, dev.hark.api.Event>>) raw, "x"));
        assertMentions(e, "java.lang.String", "does not implement", EventListener.class.getName());
    }

    @Test
    void aListenerWithoutAPublicNoArgConstructorIsRefused() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> Dag.waitForEvent(BadListeners.NoNoArgConstructor.class, "x"));
        assertMentions(e, "NoNoArgConstructor", "no public no-argument constructor", "[L1.2]");
    }

    @Test
    void anAbstractListenerIsRefused() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Dag.waitForEvent(BadListeners.Abstract.class, "x"));
        assertMentions(e, "Abstract", "abstract", "[L1.1]");
    }

    @Test
    void argumentsJacksonCannotSerializeAreRefused() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> Dag.waitForEvent(BadListeners.OpaqueArgs.class, new BadListeners.Opaque()));
        assertMentions(e, "OpaqueArgs", "cannot be stored as JSON", "[L1.4]");
    }

    @Test
    @SuppressWarnings({"unchecked", "rawtypes"})
    void argumentsOfAnotherTypeThanTheListenersAreRefused() {
        // A String is one of the types whose round trip Dag skips, but only where a String is
        // expected: TimerListener expects an Instant, so this one must still be read back and fail.
        Class raw = dev.hark.listeners.timer.TimerListener.class;
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> Dag.waitForEvent((Class<EventListener<Object, dev.hark.api.Event>>) raw, "not an instant"));
        assertMentions(e, "TimerListener", "cannot be stored as JSON", "[L1.4]");
    }

    @Test
    void aCapturingLambdaIsRefusedBecauseAResumedWorkflowCouldNotRebuildIt() {
        String captured = "from the surroundings";
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Dag.task((String s) -> s + captured));
        assertMentions(e, "captures", "bind(Dag.value");
    }

    @Test
    void twoTasksWithTheSameExplicitNameAreRefused(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dataDir) {
        Node<String> one = Dag.task(Tasks::shout).named("same").bind(Dag.value("a"));
        Node<String> two = Dag.task(Tasks::shout).named("same").bind(Dag.value("b"));
        try (Hark hark = Hark.open(dataDir)) {
            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class,
                    () -> hark.run(Dag.task(Tasks::concat).bind(one, two), "dup-names"));
            assertMentions(e, "same", "unique");
        }
    }

    @Test
    void aNegativeRetryCountIsRefused() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> Dag.task(Tasks::shout).retries(-1));
        assertMentions(e, "retries", "-1");
    }

    static void assertMentions(Throwable e, String... fragments) {
        for (String fragment : fragments) {
            assertTrue(
                    e.getMessage().contains(fragment), "message should mention '" + fragment + "': " + e.getMessage());
        }
    }
}
