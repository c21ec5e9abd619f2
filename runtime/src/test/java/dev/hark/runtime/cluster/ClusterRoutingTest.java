package dev.hark.runtime.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hark.listeners.http.HttpEvent;
import dev.hark.listeners.http.HttpListener;
import dev.hark.runtime.Hark;
import dev.hark.runtime.event.Delivery;
import dev.hark.runtime.http.Credentials;
import dev.hark.runtime.http.HttpSettings;
import dev.hark.runtime.storage.ForwardingWorkflowStore;
import dev.hark.runtime.storage.StoreWrite;
import dev.hark.runtime.storage.TaskState;
import dev.hark.runtime.storage.WorkflowStore;
import dev.hark.runtime.storage.sqlite.SqliteWorkflowStore;
import dev.hark.runtime.testing.FakeCluster;
import dev.hark.workflow.Dag;
import dev.hark.workflow.WorkflowStatus;
import dev.hark.workflow.internal.Json;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Routing between nodes: an event sent to a node that does not run the workflow is forwarded to
 * the node that does, over real sockets, and the owner's answer is the answer. Each node has a
 * SQLite store of its own; {@link FakeCluster} stands in for the shared store's ownership table,
 * which is all routing reads (the PostgreSQL store and the cluster tests cover the real one).
 */
class ClusterRoutingTest {

    private static final HttpClient CLIENT =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final Duration LEASE = Duration.ofSeconds(7);

    @TempDir
    Path folderA;

    @TempDir
    Path folderB;

    private final FakeCluster cluster = new FakeCluster(LEASE);
    private final FakeCluster.Leases leasesA = cluster.join("node-a");
    private final FakeCluster.Leases leasesB = cluster.join("node-b");
    private final CompletableFuture<Void> checkpoints = new CompletableFuture<>();
    private final CountDownLatch checkpointHeld = new CountDownLatch(1);
    private WorkflowStore storeA;
    private Hark a;
    private Hark b;

    @AfterEach
    void close() {
        checkpoints.complete(null);
        if (b != null) {
            b.close();
        }
        if (a != null) {
            a.close();
        }
    }

    /** Node A owns and runs "w" (waiting for "k"); node B sees it in the "shared" store. */
    private void twoNodes(boolean holdCheckpoints, HttpSettings httpA, HttpSettings httpB) {
        a = Hark.builder()
                .dataDir(folderA)
                .http(httpA)
                .adminApi(true)
                .store(dir -> leasesA.store(heldCheckpoints(storeA = SqliteWorkflowStore.open(dir), holdCheckpoints)))
                .open();
        b = Hark.builder()
                .dataDir(folderB)
                .http(httpB)
                .adminApi(true)
                .store(dir -> leasesB.store(SqliteWorkflowStore.open(dir), storeA))
                .open();
        a.start(Dag.waitForEvent(HttpListener.class, "k"), "w").started().join();
        cluster.own("w", leasesA.self());
    }

    private void twoNodes(boolean holdCheckpoints) {
        twoNodes(
                holdCheckpoints,
                HttpSettings.defaults().withPort(0),
                HttpSettings.defaults().withPort(0));
    }

    private WorkflowStore heldCheckpoints(WorkflowStore real, boolean hold) {
        if (!hold) {
            return real;
        }
        return new ForwardingWorkflowStore(real) {
            @Override
            public CompletableFuture<Void> write(StoreWrite write) {
                if (write instanceof StoreWrite.PutTask put && put.state() == TaskState.CHECKPOINTED) {
                    checkpointHeld.countDown();
                    return checkpoints.thenCompose(ok -> super.write(write));
                }
                return super.write(write);
            }
        };
    }

    @Test
    void aNodeJoinsWithItsBoundAddressSoThatOthersCanForwardToIt() {
        twoNodes(false);
        assertTrue(leasesA.joined());
        assertEquals(
                Optional.of(URI.create(
                        "http://127.0.0.1:" + a.httpAddress().orElseThrow().getPort())),
                leasesA.address());
    }

    @Test
    void anEventSentToANodeThatDoesNotRunTheWorkflowIsAnswered200OnlyAfterTheOwnersCheckpoint() throws Exception {
        twoNodes(true);
        CompletableFuture<HttpResponse<String>> reply = postAsync(b, "w", "k", "\"hello\"", "key-1", null, null);
        assertTrue(checkpointHeld.await(30, TimeUnit.SECONDS), "the event never reached the owner's wait");
        // the owner's checkpoint is held: whatever the forwarding node does, it cannot answer yet
        assertFalse(
                reply.isDone(),
                () -> "answered before the owner's checkpoint: " + reply.join().body());
        checkpoints.complete(null);
        HttpResponse<String> answered = reply.get(30, TimeUnit.SECONDS);
        assertEquals(200, answered.statusCode(), answered.body());
        assertEquals("checkpointed", json(answered).get("status").asString(), answered.body());
        assertEquals(
                "application/json",
                answered.headers().firstValue("Content-Type").orElse(null));
        HttpEvent event = (HttpEvent) a.resumeAsync("w").get(30, TimeUnit.SECONDS);
        assertEquals("hello", event.eventPayload());
        // recorded by the owner, in the owner's store: B recorded nothing
        assertEquals(
                WorkflowStatus.SUCCESSFUL, storeA.workflow("w").orElseThrow().status());
    }

    @Test
    void aJavaCallerOfTheNodeThatDoesNotRunTheWorkflowIsToldWhichNodeDoes() throws Exception {
        twoNodes(false);
        Delivery delivery = b.sendEvent("w", "k", "hello").get(30, TimeUnit.SECONDS);
        Delivery.Elsewhere elsewhere = assertInstanceOf(Delivery.Elsewhere.class, delivery);
        assertEquals("node-a", elsewhere.owner().name());
        assertTrue(elsewhere.message().contains("node-a"), elsewhere.message());
    }

    @Test
    void aForwardedRequestIsNeverForwardedAgainButAnswered503OwnerMoved() throws Exception {
        twoNodes(false);
        HttpResponse<String> reply =
                postAsync(b, "w", "k", "\"loop\"", "key-1", null, "node-c").get(30, TimeUnit.SECONDS);
        assertEquals(503, reply.statusCode(), reply.body());
        assertEquals("1", reply.headers().firstValue("Retry-After").orElse(null));
        assertEquals("owner_moved", json(reply).get("error").asString(), reply.body());
        // nothing reached the owner: its wait still waits
        assertEquals(WorkflowStatus.RUNNING, a.status("w"));
        assertEquals(1, a.openWaits("w").size());
    }

    @Test
    void anOwnerThatDoesNotAnswerIs503WithTheLeaseAsRetryAfterAndTheRetryWithTheSameKeyIsDeliveredOnce()
            throws Exception {
        twoNodes(false);
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        NodeRefs.ownedAt(cluster, "w", leasesA, URI.create("http://127.0.0.1:" + closedPort));
        HttpResponse<String> refused =
                postAsync(b, "w", "k", "\"once\"", "key-1", null, null).get(30, TimeUnit.SECONDS);
        assertEquals(503, refused.statusCode(), refused.body());
        assertEquals(
                Long.toString(LEASE.toSeconds()),
                refused.headers().firstValue("Retry-After").orElse(null));
        JsonNode body = json(refused);
        assertEquals("owner_unavailable", body.get("error").asString(), refused.body());
        assertTrue(body.get("message").asString().contains("node-a"), refused.body());
        assertEquals(1, a.openWaits("w").size(), "nothing may be recorded when the owner was not reached");

        cluster.own("w", leasesA.self()); // the owner answers again
        HttpResponse<String> retried =
                postAsync(b, "w", "k", "\"once\"", "key-1", null, null).get(30, TimeUnit.SECONDS);
        assertEquals(200, retried.statusCode(), retried.body());
        assertEquals("checkpointed", json(retried).get("status").asString());
        HttpResponse<String> again =
                postAsync(b, "w", "k", "\"once\"", "key-1", null, null).get(30, TimeUnit.SECONDS);
        assertEquals(200, again.statusCode(), again.body());
        assertEquals("already_recorded", json(again).get("status").asString(), again.body());
        assertEquals("once", ((HttpEvent) a.resumeAsync("w").get(30, TimeUnit.SECONDS)).eventPayload());
    }

    @Test
    void anOwnerWhoseLeaseExpiredIsNotAskedAnd503Follows() throws Exception {
        twoNodes(false);
        cluster.own(
                "w",
                new dev.hark.runtime.storage.NodeLeases.NodeRef(
                        leasesA.self().id(), "node-a", leasesA.address(), false));
        HttpResponse<String> reply =
                postAsync(b, "w", "k", "\"x\"", null, null, null).get(30, TimeUnit.SECONDS);
        assertEquals(503, reply.statusCode(), reply.body());
        assertEquals("owner_unavailable", json(reply).get("error").asString());
        assertEquals(1, a.openWaits("w").size());
    }

    @Test
    void theOwnerAuthenticatesTheForwardedRequestItself() throws Exception {
        String onlyB = Credentials.newToken();
        String both = Credentials.newToken();
        String admin = Credentials.newToken();
        twoNodes(
                false,
                HttpSettings.defaults()
                        .withPort(0)
                        .withCredentials(Credentials.parse("events " + both + "; admin " + admin, "test")),
                HttpSettings.defaults()
                        .withPort(0)
                        .withCredentials(Credentials.parse(
                                "events " + onlyB + "; events " + both + "; admin " + admin, "test")));
        HttpResponse<String> refused =
                postAsync(b, "w", "k", "\"x\"", "key-1", onlyB, null).get(30, TimeUnit.SECONDS);
        assertEquals(401, refused.statusCode(), refused.body());
        assertTrue(
                refused.headers().firstValue("WWW-Authenticate").isPresent(),
                refused.headers().toString());
        assertEquals(1, a.openWaits("w").size(), "the owner must refuse a token it does not know");

        HttpResponse<String> accepted =
                postAsync(b, "w", "k", "\"x\"", "key-1", both, null).get(30, TimeUnit.SECONDS);
        assertEquals(200, accepted.statusCode(), accepted.body());
        assertEquals("x", ((HttpEvent) a.resumeAsync("w").get(30, TimeUnit.SECONDS)).eventPayload());
    }

    @Test
    void cancellingOnANodeThatDoesNotRunTheWorkflowCancelsItOnItsOwner() throws Exception {
        twoNodes(false);
        HttpResponse<String> reply = CLIENT.send(
                HttpRequest.newBuilder(base(b).resolve("/workflows/w/cancel"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, reply.statusCode(), reply.body());
        assertEquals("CANCELED", json(reply).get("status").asString(), reply.body());
        assertEquals(WorkflowStatus.CANCELED, storeA.workflow("w").orElseThrow().status());
        assertEquals(WorkflowStatus.CANCELED, a.status("w"));
    }

    @Test
    void cancellingAWorkflowWhoseOwnerHasNoAddressIsRefused409NamingTheOwnerAndChangesNothing() throws Exception {
        twoNodes(false);
        cluster.own("w", cluster.node("node-z", Optional.empty(), true));
        HttpResponse<String> reply = CLIENT.send(
                HttpRequest.newBuilder(base(b).resolve("/workflows/w/cancel"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(409, reply.statusCode(), reply.body());
        JsonNode body = json(reply);
        assertEquals("owned_elsewhere", body.get("error").asString(), reply.body());
        assertTrue(body.get("message").asString().contains("node-z"), reply.body());
        assertEquals(WorkflowStatus.RUNNING, storeA.workflow("w").orElseThrow().status());
    }

    @Test
    void cancellingOnAnAdminPortOfItsOwnIsRefused409NamingTheOwnerRatherThanForwardedToAnEventPort() throws Exception {
        a = Hark.builder()
                .dataDir(folderA)
                .http(HttpSettings.defaults().withPort(0))
                .adminHttp(HttpSettings.defaults().withPort(0))
                .store(dir -> leasesA.store(storeA = SqliteWorkflowStore.open(dir)))
                .open();
        b = Hark.builder()
                .dataDir(folderB)
                .http(HttpSettings.defaults().withPort(0))
                .adminHttp(HttpSettings.defaults().withPort(0))
                .store(dir -> leasesB.store(SqliteWorkflowStore.open(dir), storeA))
                .open();
        a.start(Dag.waitForEvent(HttpListener.class, "k"), "w").started().join();
        cluster.own("w", leasesA.self());
        URI admin =
                URI.create("http://127.0.0.1:" + b.adminAddress().orElseThrow().getPort());
        HttpResponse<String> reply = CLIENT.send(
                HttpRequest.newBuilder(admin.resolve("/workflows/w/cancel"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(409, reply.statusCode(), reply.body());
        JsonNode body = json(reply);
        assertEquals("owned_elsewhere", body.get("error").asString(), reply.body());
        assertTrue(body.get("message").asString().contains("node-a"), reply.body());
        assertEquals(WorkflowStatus.RUNNING, storeA.workflow("w").orElseThrow().status());
    }

    private static CompletableFuture<HttpResponse<String>> postAsync(
            Hark node,
            String workflowId,
            String key,
            String payloadJson,
            String idempotencyKey,
            String token,
            String forwardedBy) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base(node).resolve("/event/send_event/" + workflowId))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"event_key\":\"" + key + "\",\"event_payload\":" + payloadJson + "}"));
        if (idempotencyKey != null) {
            request.header("Idempotency-Key", idempotencyKey);
        }
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (forwardedBy != null) {
            request.header("Hark-Forwarded-By", forwardedBy);
        }
        return CLIENT.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static URI base(Hark node) {
        return URI.create("http://127.0.0.1:" + node.httpAddress().orElseThrow().getPort());
    }

    private static JsonNode json(HttpResponse<String> response) throws IOException {
        return Json.MAPPER.readTree(response.body());
    }

    /** Ownership pointing at a node's id and name, but another address (a node that stopped answering). */
    private static final class NodeRefs {
        static void ownedAt(FakeCluster cluster, String workflowId, FakeCluster.Leases node, URI address) {
            cluster.own(
                    workflowId,
                    new dev.hark.runtime.storage.NodeLeases.NodeRef(
                            node.self().id(), node.self().name(), Optional.of(address), true));
        }
    }
}
