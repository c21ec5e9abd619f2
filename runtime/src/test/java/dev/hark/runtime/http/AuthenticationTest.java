package dev.hark.runtime.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hark.listeners.http.HttpEvent;
import dev.hark.listeners.http.HttpListener;
import dev.hark.runtime.Hark;
import dev.hark.runtime.testing.Await;
import dev.hark.runtime.testing.SelfSignedPem;
import dev.hark.workflow.Dag;
import dev.hark.workflow.WorkflowStatus;
import dev.hark.workflow.internal.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * A server with credentials, over real sockets: who may do what with a token, a signed webhook, on
 * the admin API's own port and over HTTPS; and that a refused request changes nothing.
 */
class AuthenticationTest {

    private static final String ADMIN = "admin-token-0123456789";
    private static final String EVENTS = "events-token-0123456789";
    private static final String ORDERS = "orders-token-0123456789";
    private static final byte[] WEBHOOK_KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] REFUNDS_KEY = "refunds-key-0123456789-refunds-key".getBytes(StandardCharsets.US_ASCII);
    private static final Credentials CREDENTIALS = Credentials.parse(
            String.join(
                    "\n",
                    "admin " + ADMIN,
                    "events " + EVENTS,
                    "events:orders- " + ORDERS,
                    "webhook whsec_" + Base64.getEncoder().encodeToString(WEBHOOK_KEY),
                    "webhook:refunds- whsec_" + Base64.getEncoder().encodeToString(REFUNDS_KEY)),
            "test");
    private static final String BODY = "{\"event_key\":\"paid\",\"event_payload\":{\"amount\":42}}";

    @TempDir
    Path dir;

    private Hark hark;
    private HttpClient client =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private String base;

    @AfterEach
    void close() {
        if (hark != null) {
            hark.close();
        }
    }

    private void open(HttpSettings http) {
        hark = Hark.builder()
                .dataDir(dir.resolve("data"))
                .http(http.withPort(0).withCredentials(CREDENTIALS))
                .adminApi(true)
                .open();
        base = (http.tls() == null ? "http" : "https") + "://127.0.0.1:"
                + hark.httpAddress().orElseThrow().getPort();
    }

    @Test
    void theAdminApiNeedsAnAdminTokenAndARefusedCancelCancelsNothing() throws Exception {
        open(HttpSettings.defaults());
        hark.runAsync(Dag.waitForEvent(HttpListener.class, "paid"), "orders-1");

        HttpResponse<String> none = send(get("/workflows"));
        assertRefused(none, 401, "unauthorized");
        assertEquals(
                "Bearer realm=\"hark\"",
                none.headers().firstValue("WWW-Authenticate").orElse(null));
        HttpResponse<String> wrong = send(get("/workflows").header("Authorization", "Bearer " + ADMIN + "x"));
        assertRefused(wrong, 401, "invalid_token");
        assertTrue(wrong.headers().firstValue("WWW-Authenticate").orElse("").contains("error=\"invalid_token\""));
        assertRefused(send(get("/workflows").header("Authorization", "Basic " + ADMIN)), 401, "invalid_token");
        assertRefused(send(get("/workflows").header("Authorization", "Bearer " + EVENTS)), 403, "insufficient_scope");
        assertRefused(send(get("/health").header("Authorization", "Bearer " + ORDERS)), 403, "insufficient_scope");

        assertRefused(send(post("/workflows/orders-1/cancel", "{}")), 401, "unauthorized");
        assertRefused(
                send(post("/workflows/orders-1/cancel", "{}").header("Authorization", "Bearer " + EVENTS)),
                403,
                "insufficient_scope");
        assertEquals(WorkflowStatus.RUNNING, hark.status("orders-1"), "refused cancels cancelled nothing");

        HttpResponse<String> listed = send(get("/workflows").header("Authorization", "bearer " + ADMIN));
        assertEquals(200, listed.statusCode(), listed.body());
        assertTrue(listed.body().contains("orders-1"), listed.body());
        assertEquals(
                200,
                send(get("/health").header("Authorization", "Bearer " + ADMIN)).statusCode());
    }

    @Test
    void theHealthProbesNeedNoCredential() throws Exception {
        open(HttpSettings.defaults());
        assertEquals(200, send(get("/health/live")).statusCode());
        HttpResponse<String> ready = send(get("/health/ready"));
        assertEquals(200, ready.statusCode(), ready.body());
        assertFalse(ready.body().contains("definitions"), "a probe says no more than its status: " + ready.body());
        assertRefused(send(get("/health")), 401, "unauthorized");
    }

    @Test
    void anEventNeedsATokenThatCoversItsWorkflowAndARefusedOneConsumesNothing() throws Exception {
        open(HttpSettings.defaults());
        CompletableFuture<HttpEvent> orders = hark.runAsync(Dag.waitForEvent(HttpListener.class, "paid"), "orders-1");
        CompletableFuture<HttpEvent> invoices =
                hark.runAsync(Dag.waitForEvent(HttpListener.class, "paid"), "invoices-1");
        awaitInboxWaits(2);

        assertRefused(send(event("orders-1", BODY)), 401, "unauthorized");
        assertRefused(
                send(event("orders-1", BODY).header("Authorization", "Bearer not-a-token-at-all-0000")),
                401,
                "invalid_token");
        assertRefused(
                send(event("invoices-1", BODY).header("Authorization", "Bearer " + ORDERS)), 403, "insufficient_scope");
        assertEquals(2, hark.metrics().inboxWaits(), "no refused request reached a wait");
        assertFalse(orders.isDone() || invoices.isDone());

        HttpResponse<String> limited = send(event("orders-1", BODY).header("Authorization", "Bearer " + ORDERS));
        assertEquals(200, limited.statusCode(), limited.body());
        assertEquals(Map.of("amount", 42), orders.get(30, TimeUnit.SECONDS).eventPayload());
        HttpResponse<String> any = send(event("invoices-1", BODY).header("Authorization", "Bearer " + EVENTS));
        assertEquals(200, any.statusCode(), any.body());
        invoices.get(30, TimeUnit.SECONDS);
    }

    @Test
    void aSignedWebhookIsAnEventWhoseIdIsItsIdempotencyKey() throws Exception {
        open(HttpSettings.defaults());
        CompletableFuture<HttpEvent> out = hark.runAsync(Dag.waitForEvent(HttpListener.class, "paid"), "orders-7");
        awaitInboxWaits(1);
        long now = Instant.now().getEpochSecond();

        assertRefused(
                send(signed("orders-7", "msg_1", now, BODY, WEBHOOK_KEY, BODY.replace("42", "43"))),
                401,
                "invalid_signature");
        assertRefused(
                send(signed("orders-7", "msg_1", now - 600, BODY, WEBHOOK_KEY, BODY)),
                401,
                "webhook_timestamp_out_of_window");
        assertRefused(send(signed("orders-7", "msg_1", now, BODY, REFUNDS_KEY, BODY)), 403, "insufficient_scope");
        HttpResponse<String> conflicting =
                send(signed("orders-7", "msg_1", now, BODY, WEBHOOK_KEY, BODY).header("Idempotency-Key", "other"));
        assertRefused(conflicting, 400, "conflicting_idempotency_keys");
        assertEquals(1, hark.metrics().inboxWaits(), "no refused webhook reached the wait");

        HttpResponse<String> accepted = send(signed("orders-7", "msg_1", now, BODY, WEBHOOK_KEY, BODY));
        assertEquals(200, accepted.statusCode(), accepted.body());
        assertEquals("msg_1", json(accepted).get("event_id").asString());
        assertEquals("msg_1", out.get(30, TimeUnit.SECONDS).id());

        HttpResponse<String> redelivered = send(signed("orders-7", "msg_1", now, BODY, WEBHOOK_KEY, BODY));
        assertEquals(200, redelivered.statusCode(), redelivered.body());
        assertEquals(
                "already_recorded",
                json(redelivered).get("status").asString(),
                "a sender's retry of the same message is recorded once");
    }

    @Test
    void theAdminApiOnItsOwnPortIsNotServedOnTheEventPortAndEventsAreNotServedOnIt() throws Exception {
        HttpSettings events = HttpSettings.defaults().withPort(0).withCredentials(CREDENTIALS);
        hark = Hark.builder()
                .dataDir(dir.resolve("data"))
                .http(events)
                .adminHttp(events)
                .open();
        String eventBase =
                "http://127.0.0.1:" + hark.httpAddress().orElseThrow().getPort();
        String adminBase =
                "http://127.0.0.1:" + hark.adminAddress().orElseThrow().getPort();
        CompletableFuture<HttpEvent> out = hark.runAsync(Dag.waitForEvent(HttpListener.class, "paid"), "orders-2");
        awaitInboxWaits(1);

        HttpResponse<String> adminOnEventPort = send(HttpRequest.newBuilder(URI.create(eventBase + "/workflows"))
                .header("Authorization", "Bearer " + ADMIN));
        assertEquals(404, adminOnEventPort.statusCode(), adminOnEventPort.body());
        assertTrue(adminOnEventPort.body().contains("its own address"), adminOnEventPort.body());
        assertEquals(
                200,
                send(HttpRequest.newBuilder(URI.create(eventBase + "/health/ready")))
                        .statusCode(),
                "the event port keeps its probes for a load balancer");

        HttpResponse<String> eventOnAdminPort =
                send(HttpRequest.newBuilder(URI.create(adminBase + "/event/send_event/orders-2"))
                        .header("Content-Type", "application/json")
                        .header("Authorization", "Bearer " + ADMIN)
                        .POST(HttpRequest.BodyPublishers.ofString(BODY)));
        assertEquals(404, eventOnAdminPort.statusCode(), eventOnAdminPort.body());
        HttpResponse<String> listed = send(HttpRequest.newBuilder(URI.create(adminBase + "/workflows"))
                .header("Authorization", "Bearer " + ADMIN));
        assertEquals(200, listed.statusCode(), listed.body());
        assertRefused(send(HttpRequest.newBuilder(URI.create(adminBase + "/workflows"))), 401, "unauthorized");

        HttpResponse<String> sent = send(HttpRequest.newBuilder(URI.create(eventBase + "/event/send_event/orders-2"))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + ORDERS)
                .POST(HttpRequest.BodyPublishers.ofString(BODY)));
        assertEquals(200, sent.statusCode(), sent.body());
        out.get(30, TimeUnit.SECONDS);
    }

    @Test
    void overHttpsFromPemFilesTokensAndEventsWorkAndPlainHttpIsNotAnswered() throws Exception {
        SelfSignedPem pem = SelfSignedPem.create(Files.createDirectories(dir.resolve("tls")));
        open(HttpSettings.defaults().withTls(new TlsSettings(pem.certificate(), pem.privateKey())));
        client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .sslContext(pem.trustingClient())
                .build();
        CompletableFuture<HttpEvent> out = hark.runAsync(Dag.waitForEvent(HttpListener.class, "paid"), "orders-3");
        awaitInboxWaits(1);

        HttpResponse<String> sent = send(event("orders-3", BODY).header("Authorization", "Bearer " + ORDERS));
        assertEquals(200, sent.statusCode(), sent.body());
        out.get(30, TimeUnit.SECONDS);
        assertEquals(
                200,
                send(get("/workflows").header("Authorization", "Bearer " + ADMIN))
                        .statusCode());

        HttpClient plain =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest overPlainHttp = HttpRequest.newBuilder(URI.create(base.replace("https:", "http:") + "/health/live"))
                .timeout(Duration.ofSeconds(10))
                .build();
        assertThrows(
                IOException.class,
                () -> plain.send(overPlainHttp, HttpResponse.BodyHandlers.ofString()),
                "a TLS port answers no plain-text request");
    }

    @Test
    void unusableTlsFilesAreRefusedAtStartNamingTheFile() throws Exception {
        Path certificate = Files.writeString(dir.resolve("cert.pem"), "not a certificate");
        Path key = Files.writeString(dir.resolve("key.pem"), "not a key");
        IllegalArgumentException refused = assertThrows(
                IllegalArgumentException.class,
                () -> Hark.builder()
                        .dataDir(dir.resolve("data"))
                        .http(HttpSettings.defaults().withPort(0).withTls(new TlsSettings(certificate, key)))
                        .open());
        assertTrue(refused.getMessage().contains("cert.pem"), refused.getMessage());
        IllegalArgumentException missing = assertThrows(
                IllegalArgumentException.class,
                () -> Hark.builder()
                        .dataDir(dir.resolve("data"))
                        .http(HttpSettings.defaults()
                                .withPort(0)
                                .withTls(new TlsSettings(dir.resolve("absent.pem"), key)))
                        .open());
        assertTrue(missing.getMessage().contains("absent.pem"), missing.getMessage());
        try (Hark reopened = Hark.builder().dataDir(dir.resolve("data")).open()) {
            assertTrue(reopened.list().isEmpty(), "the refused runtime released its data folder");
        }
    }

    private HttpRequest.Builder get(String path) {
        return HttpRequest.newBuilder(URI.create(base + path));
    }

    private HttpRequest.Builder post(String path, String body) {
        return HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
    }

    private HttpRequest.Builder event(String workflowId, String body) {
        return post("/event/send_event/" + workflowId, body);
    }

    /** A Standard Webhooks request, signed here with the JDK's HMAC rather than the server's code. */
    private HttpRequest.Builder signed(
            String workflowId, String id, long timestamp, String signedBody, byte[] key, String sentBody)
            throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        String signature = Base64.getEncoder()
                .encodeToString(
                        mac.doFinal((id + "." + timestamp + "." + signedBody).getBytes(StandardCharsets.UTF_8)));
        return event(workflowId, sentBody)
                .header("webhook-id", id)
                .header("webhook-timestamp", Long.toString(timestamp))
                .header("webhook-signature", "v1," + signature);
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return client.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void assertRefused(HttpResponse<String> response, int status, String error) {
        assertEquals(status, response.statusCode(), response.body());
        assertEquals(error, json(response).get("error").asString(), response.body());
    }

    private static JsonNode json(HttpResponse<String> response) {
        return Json.MAPPER.readTree(response.body());
    }

    private void awaitInboxWaits(int count) throws InterruptedException {
        Await.until(
                () -> hark.metrics().inboxWaits() >= count,
                () -> "expected " + count + " inbox waits, have "
                        + hark.metrics().inboxWaits());
    }
}
