package dev.hark.runtime.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.hark.runtime.Hark;
import dev.hark.workflow.Dag;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.MDC;

/**
 * The workflow and task in the MDC while a task runs, and scopes that nest and restore. Here, not in
 * the runtime module: its tests log through slf4j-simple, whose MDC keeps nothing; this is Logback,
 * as in hark serve.
 */
class LogFieldsTest {

    @TempDir
    Path dataDir;

    /** A task that reports the log fields it runs under. */
    public static Map<String, String> fieldsSeen(String ignored) {
        return new TreeMap<>(MDC.getCopyOfContextMap() == null ? Map.of() : MDC.getCopyOfContextMap());
    }

    @Test
    void aTaskRunsWithItsWorkflowAndTaskAsLogFields() {
        try (Hark hark = Hark.open(dataDir)) {
            Map<String, String> seen =
                    hark.run(Dag.task(LogFieldsTest::fieldsSeen).bind(Dag.value("x")), "fields-1");
            assertEquals("fields-1", seen.get(LogFields.WORKFLOW_ID), seen.toString());
            assertEquals(2, seen.size(), "workflow and task, no listener: " + seen);
            assertEquals(false, seen.get(LogFields.TASK).isEmpty(), seen.toString());
        }
    }

    @Test
    void scopesNestAndRestoreWhatTheThreadHadBefore() {
        MDC.put(LogFields.WORKFLOW_ID, "outer");
        try (LogFields wait = LogFields.of("w", "t", "l")) {
            assertEquals("w", MDC.get(LogFields.WORKFLOW_ID));
            try (LogFields task = LogFields.of("w2", "t2", null)) {
                assertEquals("t2", MDC.get(LogFields.TASK));
                assertNull(MDC.get(LogFields.LISTENER));
            }
            assertEquals("l", MDC.get(LogFields.LISTENER));
            assertEquals("t", MDC.get(LogFields.TASK));
        } finally {
            assertEquals("outer", MDC.get(LogFields.WORKFLOW_ID));
            assertNull(MDC.get(LogFields.TASK));
            MDC.clear();
        }
    }
}
