package dev.hark.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hark.runtime.testing.ChannelEvent;
import dev.hark.runtime.testing.Channels;
import dev.hark.runtime.testing.ErrorThrowingListeners;
import dev.hark.runtime.testing.Tasks;
import dev.hark.workflow.Dag;
import dev.hark.workflow.WorkflowFailedException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What `hark serve`'s log shows of failures: the tests' SLF4J backend, slf4j-simple, writes to
 * whatever {@code System.err} is at the time of each line, so these tests read it there.
 */
class OperatorLogTest {

    @TempDir
    Path dataDir;

    @Test
    void aFailingWorkflowIsLoggedOnceAtWarnWithItsTaskAndTheTraceAndEachRetryAtInfo() {
        String log = standardErrorOf(() -> {
            try (Hark hark = Hark.open(dataDir)) {
                assertThrows(
                        WorkflowFailedException.class,
                        () -> hark.run(Dag.task(Tasks::alwaysFail).retries(2).bind(Dag.value("x")), "doomed"));
            }
        });
        assertEquals(1, count(log, "WARN dev.hark.runtime.engine.WorkflowRun - Workflow doomed failed: task "), log);
        assertTrue(log.contains("(after 3 attempts)"), log);
        assertTrue(log.contains("at dev.hark.runtime.testing.Tasks.alwaysFail("), "the cause's stack trace:\n" + log);
        assertEquals(2, count(log, "INFO dev.hark.runtime.engine.WorkflowRun - Task "), "one line per retry:\n" + log);
        assertTrue(
                log.matches("(?s).*Task \\S+ of workflow doomed threw \\(attempt 1 of 3\\), running it again:"
                        + " java.lang.IllegalStateException: boom: x.*"),
                log);
        assertTrue(log.contains("(attempt 2 of 3)"), log);
        assertFalse(log.contains("(attempt 3 of 3)"), "the last attempt is the failure, not a retry:\n" + log);
    }

    @Test
    void aFailedPollIsLoggedWithItsTaskWorkflowListenerAndAttempt() {
        String channel = "ch-" + UUID.randomUUID();
        ErrorThrowingListeners.POLLS.set(0);
        Channels.channel(channel).publish("p");
        String log = standardErrorOf(() -> {
            try (Hark hark = Hark.open(dataDir)) {
                ChannelEvent event =
                        hark.run(Dag.waitForEvent(ErrorThrowingListeners.FirstPollThrows.class, channel), "poll-error");
                assertEquals("p", event.payload());
            }
        });
        assertTrue(
                log.matches("(?s).*WARN dev.hark.runtime.protocol.EventTask - Poll for task \\S+ of workflow poll-error"
                        + " on listener \\S*FirstPollThrows failed \\(attempt 1\\), polling again in 100 ms:"
                        + " java.lang.AssertionError: first poll fails.*"),
                log);
    }

    private static String standardErrorOf(Runnable action) {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.err;
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            action.run();
        } finally {
            System.setErr(original);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }

    private static int count(String text, String part) {
        Matcher matcher = Pattern.compile(Pattern.quote(part)).matcher(text);
        int count = 0;
        while (matcher.find()) {
            count++;
        }
        return count;
    }
}
