package dev.hark.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hark.runtime.storage.postgres.TestPostgres;
import dev.hark.runtime.testing.Await;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fencing: node A is paused (SIGSTOP) past its lease while its workflows sleep; node B takes them
 * over once the lease expired (A's process, and so its database session, is still there) and
 * finishes them, each returning the name of the node that ran its final task. When A continues,
 * its timers fire at once and its tasks run, but it can write nothing: every output stays B's,
 * and A exits with the lease-lost code.
 */
class HarkFencingTest {

    private static final int NAPS = 20;
    private static final int NAP_SECONDS = 4;

    @TempDir
    static Path plugins;

    @TempDir
    Path work;

    private ClusterChildren cluster;

    @BeforeAll
    static void plugin() throws IOException {
        ClusterChildren.writePlugin(plugins);
    }

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aNodePausedPastItsLeaseWritesNothingWhenItContinuesAndExitsWithTheLeaseLostCode() throws Exception {
        cluster = new ClusterChildren(work, plugins, TestPostgres.freshDatabase());
        Process a = cluster.start("A", "2s");
        String urlA = cluster.awaitListening("A");
        cluster.start("B", "2s");
        cluster.awaitListening("B");
        cluster.awaitLine("B", "node B");

        for (int i = 0; i < NAPS; i++) {
            assertEquals(
                    201,
                    ServeChildren.post(
                                    urlA + "/workflows",
                                    "{\"definition\": \"nap\", \"workflow_id\": \"nap-" + i
                                            + "\", \"input\": {\"seconds\": " + NAP_SECONDS + "}}")
                            .statusCode());
        }
        cluster.signal("A", "STOP");
        long paused = System.nanoTime();

        // B takes them over after A's lease, resumes them, and their timers fire at their deadlines
        Await.value(
                Duration.ofSeconds(90),
                () -> cluster.count("SELECT count(*) FROM workflows WHERE status = 'SUCCESSFUL'"),
                finished -> finished == NAPS,
                finished -> finished + " of " + NAPS + " naps finished while A was paused");
        System.out.printf(
                Locale.ROOT,
                "fencing: %d naps taken over from the paused node and finished %.0f ms after the pause%n",
                NAPS,
                (System.nanoTime() - paused) / 1e6);
        assertEquals(NAPS, outputsOf("B"));

        // A continues: its timers are due, its tasks run; its writes are fenced and it exits 75
        cluster.signal("A", "CONT");
        assertTrue(a.waitFor(60, TimeUnit.SECONDS), "the fenced node must exit:\n" + cluster.logOf("A"));
        assertEquals(ExitCodes.LEASE_LOST, a.exitValue(), cluster.logOf("A"));
        assertTrue(cluster.logOf("A").contains("lost its lease"), cluster.logOf("A"));
        assertEquals(NAPS, outputsOf("B"), "every output is still B's");
        assertEquals(
                0,
                cluster.count("SELECT count(*) FROM tasks WHERE output LIKE '%\"value\":\"A\"%'"),
                "a task output written by the fenced node");
    }

    /** @return how many workflows returned {@code node}'s name (outputs are stored as typed envelopes) */
    private long outputsOf(String node) throws Exception {
        return cluster.count(
                "SELECT count(*) FROM workflows WHERE status = 'SUCCESSFUL' AND output LIKE ?",
                "%\"value\":\"" + node + "\"%");
    }
}
