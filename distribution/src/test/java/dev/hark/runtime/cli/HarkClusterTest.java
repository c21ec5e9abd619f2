package dev.hark.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.hark.runtime.storage.postgres.TestPostgres;
import dev.hark.runtime.testing.Await;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three {@code hark serve} nodes on one PostgreSQL database. Workflows are started round-robin on
 * the nodes; each waits for two HTTP events, which a client sends round-robin to all nodes (a node
 * forwards an event to the node that runs its workflow) with idempotency keys, retrying 503s and
 * refused connections on the next node. Halfway through, one node is SIGKILLed: the others take
 * over its workflows (its database session ends at once, so they do not wait for its lease) and
 * resume them. Every workflow finishes with both its events, each recorded exactly once.
 *
 * <p>Counts are system properties: {@code hark.cluster.workflows} (default 1000).
 */
class HarkClusterTest {

    private static final int WORKFLOWS = Integer.getInteger("hark.cluster.workflows", 1_000);
    private static final List<String> NODES = List.of("n1", "n2", "n3");
    private static final String VICTIM = "n2";
    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();

    @TempDir
    static Path plugins;

    @TempDir
    Path work;

    private ClusterChildren cluster;
    private final ExecutorService clients = Executors.newFixedThreadPool(24);

    @BeforeAll
    static void plugin() throws IOException {
        ClusterChildren.writePlugin(plugins);
    }

    @AfterEach
    void stop() {
        clients.shutdownNow();
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void threeNodesOneKilledMidStreamEveryEventDeliveredExactlyOnceAndEveryWorkflowFinishes() throws Exception {
        cluster = new ClusterChildren(work, plugins, TestPostgres.freshDatabase());
        List<String> urls = new ArrayList<>();
        for (String node : NODES) {
            cluster.start(node, "3s");
        }
        for (String node : NODES) {
            urls.add(cluster.awaitListening(node));
            cluster.awaitLine(node, "node " + node);
        }

        List<Future<?>> starts = new ArrayList<>();
        for (int i = 0; i < WORKFLOWS; i++) {
            String server = urls.get(i % NODES.size());
            String id = id(i);
            starts.add(clients.submit(() -> {
                HttpResponse<String> created = ServeChildren.post(
                        server + "/workflows", "{\"definition\": \"pair\", \"workflow_id\": \"" + id + "\"}");
                assertEquals(201, created.statusCode(), created.body());
                return null;
            }));
        }
        for (Future<?> start : starts) {
            start.get(120, TimeUnit.SECONDS);
        }
        List<String> victims = cluster
                .query(
                        "SELECT id FROM workflows WHERE owner = (SELECT id FROM hark_nodes"
                                + " WHERE name = ? AND fenced_at IS NULL)",
                        VICTIM)
                .stream()
                .map(row -> row.get(0))
                .toList();
        assertEquals(WORKFLOWS / NODES.size() + (WORKFLOWS % NODES.size() > 1 ? 1 : 0), victims.size());

        // 2 events per workflow, all "first" then all "second", sent round-robin to the nodes
        int events = 2 * WORKFLOWS;
        AtomicInteger delivered = new AtomicInteger();
        AtomicInteger retries = new AtomicInteger();
        Map<String, String> answers = new ConcurrentHashMap<>();
        List<Future<?>> sends = new ArrayList<>();
        for (int j = 0; j < events; j++) {
            int workflow = j % WORKFLOWS;
            String key = j < WORKFLOWS ? "first" : "second";
            int firstNode = j % NODES.size();
            sends.add(clients.submit(() -> {
                String status = send(urls, firstNode, id(workflow), key, retries);
                answers.put(id(workflow) + "/" + key, status);
                delivered.incrementAndGet();
                return null;
            }));
        }
        Await.until(Duration.ofSeconds(120), () -> delivered.get() >= events / 2, () -> delivered + " delivered");
        cluster.signal(VICTIM, "KILL");
        long killed = System.nanoTime();
        // taken over and resumed: none of the victim's unfinished workflows is its own or RESUMABLE any more
        AtomicLong takenAfter = new AtomicLong(-1);
        Await.until(
                Duration.ofSeconds(60),
                () -> {
                    try {
                        boolean done = cluster.count(
                                        "SELECT count(*) FROM workflows w WHERE w.status = 'RESUMABLE' OR"
                                                + " (w.status = 'RUNNING' AND w.owner = (SELECT id FROM hark_nodes"
                                                + " WHERE name = ? ORDER BY id DESC LIMIT 1))",
                                        VICTIM)
                                == 0;
                        if (done && takenAfter.get() < 0) {
                            takenAfter.set(System.nanoTime() - killed);
                        }
                        return done;
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                },
                () -> "the victim's workflows were not taken over");
        for (Future<?> send : sends) {
            send.get(180, TimeUnit.SECONDS);
        }
        long finished = Await.value(
                () -> cluster.count("SELECT count(*) FROM workflows WHERE status = 'SUCCESSFUL'"),
                count -> count == WORKFLOWS,
                count -> count + " of " + WORKFLOWS + " workflows finished");
        assertEquals(WORKFLOWS, finished);
        System.out.printf(
                Locale.ROOT,
                "cluster: %d workflows, %d events on 3 nodes, %s SIGKILLed after %d events; its %d workflows taken"
                        + " over and resumed %.0f ms after the kill; %d retries (503 or refused connection)%n",
                WORKFLOWS,
                events,
                VICTIM,
                events / 2,
                victims.size(),
                takenAfter.get() / 1e6,
                retries.get());

        // each workflow has both its events, once: outputs, and one claim per idempotency key
        for (List<String> row : cluster.query("SELECT id, output FROM workflows")) {
            String id = row.get(0);
            String output = row.get(1);
            assertTrue(
                    output.contains("\"value\":\"f-" + id + "+s-" + id + "@n"),
                    id + ": " + output + " (a lost or doubled event changes it)");
        }
        assertEquals(events, cluster.count("SELECT count(*) FROM event_claims"));
        // Every event's commit is recorded: by its task row, or, when the commit was the last thing the
        // workflow waited for, by the SUCCESSFUL status itself, which leaves the row CHECKPOINTED [R5.5].
        assertEquals(
                events,
                cluster.count("SELECT count(*) FROM tasks t JOIN workflows w ON w.id = t.workflow_id"
                        + " WHERE t.output LIKE '%eventPayload%' AND (t.state = 'COMMITTED'"
                        + " OR t.state = 'CHECKPOINTED' AND w.status = 'SUCCESSFUL')"));
        // the victim's workflows whose second event came after the kill finished on the survivors
        long finishedElsewhere = victims.stream()
                .filter(id -> {
                    try {
                        return !cluster.query("SELECT output FROM workflows WHERE id = ?", id)
                                .get(0)
                                .get(0)
                                .contains("@" + VICTIM + "\"");
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                })
                .count();
        System.out.printf(
                Locale.ROOT, "cluster: %d of the victim's workflows finished on the survivors%n", finishedElsewhere);
        assertTrue(finishedElsewhere > 0, "no workflow of the killed node finished elsewhere");
        assertTrue(
                answers.values().stream()
                        .allMatch(status -> status.equals("checkpointed") || status.equals("already_recorded")),
                answers.toString());
    }

    /** @return the 200 reply's status, after retrying 503s and refused connections on the next node */
    private static String send(List<String> urls, int firstNode, String workflowId, String key, AtomicInteger retries)
            throws Exception {
        String payload = (key.equals("first") ? "f-" : "s-") + workflowId;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        for (int attempt = 0; System.nanoTime() < deadline; attempt++) {
            String server = urls.get((firstNode + attempt) % urls.size());
            HttpResponse<String> response;
            try {
                response = CLIENT.send(
                        HttpRequest.newBuilder(URI.create(server + "/event/send_event/" + workflowId))
                                .timeout(Duration.ofSeconds(30))
                                .header("Content-Type", "application/json")
                                .header("Idempotency-Key", payload)
                                .POST(HttpRequest.BodyPublishers.ofString(
                                        "{\"event_key\": \"" + key + "\", \"event_payload\": \"" + payload + "\"}"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
            } catch (IOException refused) { // the killed node
                retries.incrementAndGet();
                Thread.sleep(50);
                continue;
            }
            int status = response.statusCode();
            if (status == 200) {
                String body = response.body();
                return body.contains("already_recorded") ? "already_recorded" : "checkpointed";
            }
            // 503: not re-parked yet, owner gone or moved; 404 no_wait_for_key: created, not parked yet
            if (status == 503 || status == 404 && response.body().contains("no_wait_for_key")) {
                retries.incrementAndGet();
                Thread.sleep(status == 503 ? 100 : 20);
                continue;
            }
            fail(workflowId + "/" + key + " via " + server + ": " + status + " " + response.body());
        }
        throw new AssertionError(workflowId + "/" + key + " was never delivered");
    }

    private static String id(int i) {
        return String.format(Locale.ROOT, "c-%04d", i);
    }
}
