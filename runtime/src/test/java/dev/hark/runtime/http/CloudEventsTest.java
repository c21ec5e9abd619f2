package dev.hark.runtime.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hark.listeners.http.HttpEvent;
import dev.hark.listeners.http.HttpListener;
import dev.hark.runtime.Hark;
import dev.hark.runtime.testing.Await;
import dev.hark.runtime.testing.Tasks;
import dev.hark.workflow.Dag;
import dev.hark.workflow.Node;
import dev.hark.workflow.internal.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * CloudEvents over HTTP, structured and binary mode, on a real socket [R7.4]: the type (or
 * {@code harkkey}) names the wait, {@code data} is the payload, the {@code id} is the idempotency
 * key, and an invalid event is refused naming the attribute and consumes nothing.
 */
class CloudEventsTest {

    private static final String PAID = "com.example.order.paid";
    private static final String EVENTS_TOKEN = "events-token-0123456789";
    private static final String ORDERS_TOKEN = "orders-token-0123456789";
    private static final byte[] WEBHOOK_KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private static final HttpClient CLIENT =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    Path dataDir;

    private Hark hark;

    @AfterEach
    void close() {
        if (hark != null) {
            hark.close();
        }
    }

    private void open(HttpSettings http) {
        hark = Hark.builder().dataDir(dataDir).http(http.withPort(0)).open();
    }

    @Test
    void aStructuredCloudEventReachesTheWaitForItsTypeWithItsDataAsPayload() throws Exception {
        open(HttpSettings.defaults());
        CompletableFuture<HttpEvent> out = hark.runAsync(Dag.waitForEvent(HttpListener.class, PAID), "order-1");
        awaitInboxWaits(1);

        HttpResponse<String> sent = send(structured("order-1", event("ce-1", PAID, "{\"amount\":42}")));

        assertEquals(200, sent.statusCode(), sent.body());
        assertEquals("checkpointed", json(sent).get("status").asString());
        assertEquals("ce-1", json(sent).get("event_id").asString());
        assertEquals(PAID, json(sent).get("event_key").asString());
        HttpEvent event = out.get(30, TimeUnit.SECONDS);
        assertEquals(PAID, event.eventKey());
        assertEquals(Map.of("amount", 42), event.eventPayload());
        assertEquals("ce-1", event.id(), "the CloudEvent's id is the event's id");
    }

    @Test
    void aBinaryCloudEventReachesTheWaitWithItsJsonBodyAsPayload() throws Exception {
        open(HttpSettings.defaults());
        CompletableFuture<HttpEvent> out = hark.runAsync(Dag.waitForEvent(HttpListener.class, PAID), "order-2");
        awaitInboxWaits(1);

        HttpResponse<String> sent = send(binary("order-2", "b-1", PAID, "application/json", "[1,\"two\",null]"));

        assertEquals(200, sent.statusCode(), sent.body());
        assertEquals("checkpointed", json(sent).get("status").asString());
        HttpEvent event = out.get(30, TimeUnit.SECONDS);
        assertEquals(PAID, event.eventKey());
        assertEquals(Arrays.asList(1, "two", null), event.eventPayload());
        assertEquals("b-1", event.id());
    }

    @Test
    void aBinaryCloudEventWithTextDataDeliversTheTextAndPercentDecodesItsHeaders() throws Exception {
        open(HttpSettings.defaults());
        CompletableFuture<HttpEvent> out = hark.runAsync(Dag.waitForEvent(HttpListener.class, "note café"), "notes-1");
        awaitInboxWaits(1);

        HttpResponse<String> sent =
                send(binary("notes-1", "t-1", "note%20caf%C3%A9", "text/plain; charset=utf-8", "{hello}"));

        assertEquals(200, sent.statusCode(), sent.body());
        HttpEvent event = out.get(30, TimeUnit.SECONDS);
        assertEquals("{hello}", event.eventPayload(), "text/plain data is the payload as a string, not JSON");
        assertEquals("note café", event.eventKey());
    }

    @Test
    void theHarkkeyExtensionNamesTheWaitInsteadOfTheType() throws Exception {
        open(HttpSettings.defaults());
        CompletableFuture<HttpEvent> out =
                hark.runAsync(Dag.waitForEvent(HttpListener.class, "approval-7"), "approvals-1");
        awaitInboxWaits(1);

        HttpResponse<String> byType = send(structured("approvals-1", event("k-1", "com.example.approved", "true")));
        assertEquals(404, byType.statusCode(), "no wait for the type: " + byType.body());

        String withKey = "{\"specversion\":\"1.0\",\"id\":\"k-2\",\"source\":\"/approvals\","
                + "\"type\":\"com.example.approved\",\"harkkey\":\"approval-7\",\"data\":true}";
        HttpResponse<String> sent = send(structured("approvals-1", withKey));
        assertEquals(200, sent.statusCode(), sent.body());
        HttpEvent event = out.get(30, TimeUnit.SECONDS);
        assertEquals("approval-7", event.eventKey());
        assertEquals(true, event.eventPayload());

        CompletableFuture<HttpEvent> binaryOut =
                hark.runAsync(Dag.waitForEvent(HttpListener.class, "approval-8"), "approvals-2");
        awaitInboxWaits(1);
        HttpResponse<String> binarySent = send(
                binary("approvals-2", "k-3", "com.example.approved", null, null).header("ce-harkkey", "approval-8"));
        assertEquals(200, binarySent.statusCode(), binarySent.body());
        assertEquals(null, binaryOut.get(30, TimeUnit.SECONDS).eventPayload(), "no body: no data");
    }

    @Test
    void aCloudEventSentToTheBarePathNamesItsWorkflowByHarkworkflowidElseSubject() throws Exception {
        open(HttpSettings.defaults());
        CompletableFuture<HttpEvent> bySubject = hark.runAsync(Dag.waitForEvent(HttpListener.class, PAID), "order-9");
        CompletableFuture<HttpEvent> byExtension =
                hark.runAsync(Dag.waitForEvent(HttpListener.class, PAID), "order-10");
        CompletableFuture<HttpEvent> byPath = hark.runAsync(Dag.waitForEvent(HttpListener.class, PAID), "order-11");
        awaitInboxWaits(3);

        assertRefused(send(structured("", event("w-0", PAID, "0"))), "missing_attribute", "subject");
        assertRefused(
                send(structured("", withAttribute(event("w-0", PAID, "0"), "subject", "a/b"))),
                "invalid_workflow_id",
                "subject");
        assertRefused(
                send(binary("", "w-0", PAID, "application/json", "0").header("ce-harkworkflowid", "x..y")),
                "invalid_workflow_id",
                "ce-harkworkflowid");
        assertRefused(
                send(structured("order-11", withAttribute(event("w-0", PAID, "0"), "harkworkflowid", "order-9"))),
                "conflicting_workflow_ids",
                "harkworkflowid");
        HttpResponse<String> plain = send(HttpRequest.newBuilder(uri(""))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"event_key\":\"" + PAID + "\",\"event_payload\":0}")));
        assertEquals(404, plain.statusCode(), "only a CloudEvent names its workflow: " + plain.body());
        assertEquals(3, hark.metrics().inboxWaits(), "the refused requests consumed nothing");

        HttpResponse<String> sent = send(structured("", withAttribute(event("w-1", PAID, "1"), "subject", "order-9")));
        assertEquals(200, sent.statusCode(), sent.body());
        assertEquals("order-9", json(sent).get("workflow_id").asString());
        assertEquals(1, bySubject.get(30, TimeUnit.SECONDS).eventPayload());

        HttpResponse<String> binarySent = send(binary("", "w-2", PAID, "application/json", "2")
                .header("ce-subject", "order-9")
                .header("ce-harkworkflowid", "order-10"));
        assertEquals(200, binarySent.statusCode(), binarySent.body());
        assertEquals(2, byExtension.get(30, TimeUnit.SECONDS).eventPayload(), "harkworkflowid wins over subject");

        HttpResponse<String> pathSent =
                send(structured("order-11", withAttribute(event("w-3", PAID, "3"), "subject", "order-9")));
        assertEquals(200, pathSent.statusCode(), "the URL's workflow id wins over the subject: " + pathSent.body());
        assertEquals(3, byPath.get(30, TimeUnit.SECONDS).eventPayload());
    }

    @Test
    void aRedeliveredCloudEventIsAnsweredAlreadyRecordedAndNeverReachesALaterWait() throws Exception {
        open(HttpSettings.defaults());
        Node<HttpEvent> first = Dag.waitForEvent(HttpListener.class, PAID);
        Node<HttpEvent> second =
                Dag.waitForEvent(HttpListener.class, Dag.task(Tasks::keyOf).bind(first));
        CompletableFuture<String> out =
                hark.runAsync(Dag.task(Tasks::joinPayloads).bind(first, second), "twice");
        awaitInboxWaits(1);

        HttpResponse<String> sent = send(structured("twice", event("evt-1", PAID, "\"one\"")));
        assertEquals("checkpointed", json(sent).get("status").asString(), sent.body());
        awaitInboxWaits(1); // the second wait, on the same key

        HttpResponse<String> again = send(structured("twice", event("evt-1", PAID, "\"one\"")));
        assertEquals(200, again.statusCode(), again.body());
        assertEquals("already_recorded", json(again).get("status").asString(), again.body());
        assertEquals("evt-1", json(again).get("event_id").asString());
        HttpResponse<String> asBinary = send(binary("twice", "evt-1", PAID, "application/json", "\"one\""));
        assertEquals("already_recorded", json(asBinary).get("status").asString(), asBinary.body());
        HttpResponse<String> withHeader =
                send(structured("twice", event("evt-1", PAID, "\"one\"")).header("Idempotency-Key", "evt-1"));
        assertEquals("already_recorded", json(withHeader).get("status").asString(), withHeader.body());
        assertFalse(out.isDone(), "no redelivery fed the second wait");
        assertEquals(1, hark.metrics().inboxWaits(), "the second wait still waits");

        HttpResponse<String> next = send(binary("twice", "evt-2", PAID, "application/json", "\"two\""));
        assertEquals("checkpointed", json(next).get("status").asString(), next.body());
        assertEquals("one two", out.get(30, TimeUnit.SECONDS));
    }

    @Test
    void anInvalidCloudEventIsRefused400NamingTheAttributeAndConsumesNothing() throws Exception {
        open(HttpSettings.defaults());
        CompletableFuture<HttpEvent> out = hark.runAsync(Dag.waitForEvent(HttpListener.class, PAID), "strict");
        awaitInboxWaits(1);
        String rest = "\"source\":\"/orders\",\"type\":\"" + PAID + "\",\"data\":1";

        assertRefused(send(structured("strict", "{\"id\":\"x\"," + rest + "}")), "missing_attribute", "specversion");
        assertRefused(
                send(structured("strict", "{\"specversion\":\"0.3\",\"id\":\"x\"," + rest + "}")),
                "unsupported_specversion",
                "specversion");
        assertRefused(
                send(structured("strict", "{\"specversion\":1.0,\"id\":\"x\"," + rest + "}")),
                "wrong_type",
                "specversion");
        assertRefused(send(structured("strict", "{\"specversion\":\"1.0\"," + rest + "}")), "missing_attribute", "id");
        assertRefused(
                send(structured("strict", "{\"specversion\":\"1.0\",\"id\":\"\"," + rest + "}")),
                "invalid_attribute",
                "id");
        assertRefused(
                send(structured("strict", "{\"specversion\":\"1.0\",\"id\":\"tab\\there\"," + rest + "}")),
                "invalid_idempotency_key",
                "id");
        assertRefused(
                send(structured(
                        "strict", "{\"specversion\":\"1.0\",\"id\":\"x\",\"type\":\"" + PAID + "\",\"data\":1}")),
                "missing_attribute",
                "source");
        assertRefused(
                send(structured("strict", "{\"specversion\":\"1.0\",\"id\":\"x\",\"source\":\"/orders\",\"data\":1}")),
                "missing_attribute",
                "type");
        assertRefused(
                send(structured(
                        "strict",
                        "{\"specversion\":\"1.0\",\"id\":\"x\",\"source\":\"/o\",\"type\":\"" + PAID
                                + "\",\"data_base64\":\"AQI=\"}")),
                "unsupported_data",
                "data_base64");
        assertRefused(
                send(structured("strict", event("x", PAID, "1")).header("Idempotency-Key", "y")),
                "conflicting_idempotency_keys",
                "id");
        assertRefused(send(structured("strict", "{\"specversion\":\"1.0\",")), "malformed_json", null);
        assertRefused(send(structured("strict", "[" + event("x", PAID, "1") + "]")), "malformed_body", null);

        HttpRequest.Builder noSource = HttpRequest.newBuilder(uri("strict"))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .header("ce-specversion", "1.0")
                .header("ce-id", "x")
                .header("ce-type", PAID)
                .POST(HttpRequest.BodyPublishers.ofString("1"));
        assertRefused(send(noSource), "missing_attribute", "ce-source");
        HttpRequest.Builder noVersion = HttpRequest.newBuilder(uri("strict"))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .header("ce-id", "x")
                .header("ce-source", "/orders")
                .header("ce-type", PAID)
                .POST(HttpRequest.BodyPublishers.ofString("1"));
        assertRefused(send(noVersion), "missing_attribute", "ce-specversion");
        assertRefused(
                send(binary("strict", "x", PAID, "application/json", "1").setHeader("ce-specversion", "0.3")),
                "unsupported_specversion",
                "ce-specversion");
        assertRefused(send(binary("strict", "x", "bad%zz", "application/json", "1")), "invalid_attribute", "ce-type");
        assertRefused(send(binary("strict", "x", PAID, "application/json", "{oops")), "malformed_json", null);

        assertEquals(1, hark.metrics().inboxWaits(), "no refused request consumed the wait");
        assertFalse(out.isDone());
        HttpResponse<String> good = send(structured("strict", event("x", PAID, "{\"ok\":true}")));
        assertEquals(200, good.statusCode(), good.body());
        assertEquals("checkpointed", json(good).get("status").asString(), "x was never recorded: " + good.body());
        assertEquals(Map.of("ok", true), out.get(30, TimeUnit.SECONDS).eventPayload());
    }

    @Test
    void batchesAndDataOtherThanJsonOrTextAre415AndConsumeNothing() throws Exception {
        open(HttpSettings.defaults());
        CompletableFuture<HttpEvent> out = hark.runAsync(Dag.waitForEvent(HttpListener.class, PAID), "media");
        awaitInboxWaits(1);

        HttpResponse<String> batch = send(HttpRequest.newBuilder(uri("media"))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/cloudevents-batch+json")
                .POST(HttpRequest.BodyPublishers.ofString("[" + event("m-1", PAID, "1") + "]")));
        assertEquals(415, batch.statusCode(), batch.body());
        assertTrue(json(batch).get("message").asString().contains("structured mode"), batch.body());
        assertEquals(
                415,
                send(binary("media", "m-1", PAID, "application/xml", "<a/>")).statusCode());
        assertEquals(
                415,
                send(binary("media", "m-1", PAID, "text/plain; charset=iso-8859-1", "x"))
                        .statusCode());
        assertEquals(
                415,
                send(binary("media", "m-1", PAID, null, null).POST(HttpRequest.BodyPublishers.ofString("data")))
                        .statusCode(),
                "data without a Content-Type");

        assertEquals(1, hark.metrics().inboxWaits());
        assertEquals(200, send(structured("media", event("m-1", PAID, "1"))).statusCode());
        assertEquals(1, out.get(30, TimeUnit.SECONDS).eventPayload());
    }

    @Test
    void credentialsApplyToCloudEventsAsToAnyEvent() throws Exception {
        open(HttpSettings.defaults()
                .withCredentials(Credentials.parse(
                        String.join(
                                "\n",
                                "events " + EVENTS_TOKEN,
                                "events:orders- " + ORDERS_TOKEN,
                                "webhook whsec_" + Base64.getEncoder().encodeToString(WEBHOOK_KEY)),
                        "test")));
        CompletableFuture<HttpEvent> structuredOut =
                hark.runAsync(Dag.waitForEvent(HttpListener.class, PAID), "secured-1");
        CompletableFuture<HttpEvent> binaryOut = hark.runAsync(Dag.waitForEvent(HttpListener.class, PAID), "secured-2");
        CompletableFuture<HttpEvent> signedOut = hark.runAsync(Dag.waitForEvent(HttpListener.class, PAID), "secured-3");
        CompletableFuture<HttpEvent> ordersOut =
                hark.runAsync(Dag.waitForEvent(HttpListener.class, PAID), "orders-secured");
        awaitInboxWaits(4);

        assertEquals(401, send(structured("secured-1", event("s-1", PAID, "1"))).statusCode());
        assertEquals(
                401,
                send(binary("secured-2", "s-2", PAID, "application/json", "2")).statusCode());
        assertEquals(
                401,
                send(binary("secured-2", "s-2", PAID, "application/json", "2")
                                .header("Authorization", "Bearer not-a-token-at-all-0000"))
                        .statusCode());
        // Sent to the bare path, the event's workflow id is the one the token must cover.
        HttpResponse<String> outOfScope =
                send(structured("", withAttribute(event("s-1", PAID, "1"), "subject", "secured-1"))
                        .header("Authorization", "Bearer " + ORDERS_TOKEN));
        assertEquals(403, outOfScope.statusCode(), outOfScope.body());
        assertEquals(
                401,
                send(structured("", withAttribute(event("s-1", PAID, "1"), "subject", "secured-1")))
                        .statusCode());
        assertEquals(4, hark.metrics().inboxWaits(), "the refused requests consumed nothing");
        HttpResponse<String> inScope =
                send(structured("", withAttribute(event("o-1", PAID, "4"), "subject", "orders-secured"))
                        .header("Authorization", "Bearer " + ORDERS_TOKEN));
        assertEquals(200, inScope.statusCode(), inScope.body());
        assertEquals(4, ordersOut.get(30, TimeUnit.SECONDS).eventPayload());

        String token = "Bearer " + EVENTS_TOKEN;
        assertEquals(
                200,
                send(structured("secured-1", event("s-1", PAID, "1")).header("Authorization", token))
                        .statusCode());
        assertEquals(
                200,
                send(binary("secured-2", "s-2", PAID, "application/json", "2").header("Authorization", token))
                        .statusCode());
        assertEquals(1, structuredOut.get(30, TimeUnit.SECONDS).eventPayload());
        assertEquals(2, binaryOut.get(30, TimeUnit.SECONDS).eventPayload());

        // A webhook signature covers the body: the whole of a structured event, none of a binary one's headers.
        String body = event("s-3", PAID, "3");
        assertRefused(
                send(signed(binary("secured-3", "s-3", PAID, "application/json", body), "msg_1", body)),
                "unsigned_attributes",
                "webhook-signature");
        HttpResponse<String> signedSent = send(signed(structured("secured-3", body), "msg_2", body));
        assertEquals(200, signedSent.statusCode(), signedSent.body());
        assertEquals("s-3", json(signedSent).get("event_id").asString(), "the CloudEvent's id is the key");
        assertEquals(3, signedOut.get(30, TimeUnit.SECONDS).eventPayload());
        HttpResponse<String> resent = send(signed(structured("secured-3", body), "msg_3", body));
        assertEquals("already_recorded", json(resent).get("status").asString(), resent.body());
    }

    private static String withAttribute(String event, String name, String value) {
        return event.substring(0, event.length() - 1) + ",\"" + name + "\":\"" + value + "\"}";
    }

    private static String event(String id, String type, String data) {
        return "{\"specversion\":\"1.0\",\"id\":\"" + id + "\",\"source\":\"/orders\",\"type\":\"" + type
                + "\",\"datacontenttype\":\"application/json\",\"data\":" + data + "}";
    }

    private HttpRequest.Builder structured(String workflowId, String body) {
        return HttpRequest.newBuilder(uri(workflowId))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/cloudevents+json; charset=UTF-8")
                .POST(HttpRequest.BodyPublishers.ofString(body));
    }

    /** @param contentType null for no Content-Type and no body */
    private HttpRequest.Builder binary(String workflowId, String id, String type, String contentType, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(workflowId))
                .timeout(Duration.ofSeconds(30))
                .header("ce-specversion", "1.0")
                .header("ce-id", id)
                .header("ce-source", "/orders")
                .header("ce-type", type)
                .header("ce-time", "2026-01-01T00:00:00Z");
        if (contentType == null) {
            return request.POST(HttpRequest.BodyPublishers.noBody());
        }
        return request.header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofString(body));
    }

    private static HttpRequest.Builder signed(HttpRequest.Builder request, String webhookId, String body) {
        String timestamp = Long.toString(Instant.now().getEpochSecond());
        byte[] signature = Authenticator.sign(
                WEBHOOK_KEY, Authenticator.signedContent(webhookId, timestamp, body.getBytes(StandardCharsets.UTF_8)));
        return request.header("webhook-id", webhookId)
                .header("webhook-timestamp", timestamp)
                .header("webhook-signature", "v1," + Base64.getEncoder().encodeToString(signature));
    }

    private URI uri(String workflowId) {
        return URI.create(
                "http://127.0.0.1:" + hark.httpAddress().orElseThrow().getPort() + "/event/send_event/" + workflowId);
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void assertRefused(HttpResponse<String> response, String error, String field) {
        assertEquals(400, response.statusCode(), response.body());
        JsonNode body = json(response);
        assertEquals(error, body.get("error").asString(), response.body());
        assertEquals(field, body.has("field") ? body.get("field").asString() : null, response.body());
    }

    private void awaitInboxWaits(int count) throws InterruptedException {
        Await.until(
                () -> hark.metrics().inboxWaits() >= count,
                () -> "expected " + count + " inbox waits, have "
                        + hark.metrics().inboxWaits());
    }

    private static JsonNode json(HttpResponse<String> response) {
        assertTrue(response.body().startsWith("{"), response.body());
        return Json.MAPPER.readTree(response.body());
    }
}
