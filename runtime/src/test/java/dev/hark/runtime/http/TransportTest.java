package dev.hark.runtime.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hark.runtime.event.Delivery;
import dev.hark.workflow.internal.Json;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import tools.jackson.databind.JsonNode;

/** The server answers the same way on every transport it can pick, over a real socket. */
class TransportTest {

    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    @ParameterizedTest
    @EnumSource(HttpApiServer.Transport.class)
    void anEventAndAMalformedRequestAreAnsweredOnEachTransport(HttpApiServer.Transport transport) throws Exception {
        assumeTrue(
                transport.isAvailable(),
                () -> "Netty's native " + transport + " transport does not work on this machine");
        List<String> sent = new CopyOnWriteArrayList<>();
        EventSender sender = (workflowId, key, payload, idempotencyKey) -> {
            sent.add(workflowId + "/" + key + "=" + payload);
            // answered from another thread, as the store's completer would
            return CompletableFuture.supplyAsync(() -> new Delivery.Accepted(workflowId, key, "ev-1"));
        };
        try (HttpApiServer server = HttpApiServer.start(HttpSettings.defaults().withPort(0), sender, null, transport)) {
            HttpResponse<String> ok =
                    post(server, "/event/send_event/wf-1", "{\"event_key\":\"k\",\"event_payload\":{\"n\":1}}");
            assertEquals(200, ok.statusCode(), ok.body());
            JsonNode reply = Json.MAPPER.readTree(ok.body());
            assertEquals("ev-1", reply.get("event_id").asString());
            assertEquals("wf-1", reply.get("workflow_id").asString());
            assertEquals(List.of("wf-1/k=" + Map.of("n", 1)), sent);

            HttpResponse<String> bad =
                    post(server, "/event/send_event/wf-1", "{\"event_key\": 3, \"event_payload\": 1}");
            assertEquals(400, bad.statusCode(), bad.body());
            assertEquals(
                    "event_key", Json.MAPPER.readTree(bad.body()).get("field").asString());
            assertEquals(1, sent.size(), "a refused request reaches no wait");
        }
    }

    @ParameterizedTest
    @EnumSource(HttpApiServer.Transport.class)
    void pipelinedRepliesKeepTheirOrderAndIdleOrBrokenConnectionsCloseOnEachTransport(HttpApiServer.Transport transport)
            throws Exception {
        assumeTrue(
                transport.isAvailable(),
                () -> "Netty's native " + transport + " transport does not work on this machine");
        CompletableFuture<Delivery> first = new CompletableFuture<>();
        EventSender sender = (workflowId, key, payload, idempotencyKey) -> workflowId.equals("first")
                ? first
                : CompletableFuture.completedFuture(new Delivery.Accepted(workflowId, key, "ev-" + workflowId));
        HttpSettings settings = HttpSettings.defaults().withPort(0).withIdleTimeout(Duration.ofMillis(300));
        try (HttpApiServer server = HttpApiServer.start(settings, sender, null, transport);
                Socket pipelining = new Socket("127.0.0.1", server.address().getPort());
                Socket idle = new Socket("127.0.0.1", server.address().getPort())) {
            for (Socket socket : List.of(pipelining, idle)) {
                socket.setSoTimeout(RawHttp.GENEROUS_MILLIS);
            }
            RawHttp.send(
                    pipelining, event("first") + "GET /nope HTTP/1.1\r\nHost: localhost\r\n\r\n" + event("second"));
            Thread.sleep(100); // the later replies are ready long before the first
            first.complete(new Delivery.Accepted("first", "k", "ev-first"));
            RawHttp.Response one = RawHttp.readResponse(pipelining.getInputStream());
            assertEquals(200, one.status(), one.body());
            assertEquals(
                    "ev-first", Json.MAPPER.readTree(one.body()).get("event_id").asString());
            assertEquals(404, RawHttp.readResponse(pipelining.getInputStream()).status());
            RawHttp.Response three = RawHttp.readResponse(pipelining.getInputStream());
            assertEquals(
                    "ev-second",
                    Json.MAPPER.readTree(three.body()).get("event_id").asString());

            // opened only now: on a busy machine the steps above can outlast the 300 ms idle timeout
            try (Socket huge = new Socket("127.0.0.1", server.address().getPort())) {
                huge.setSoTimeout(RawHttp.GENEROUS_MILLIS);
                RawHttp.send(huge, "GET /x HTTP/1.1\r\nHost: localhost\r\nX-Big: " + "b".repeat(9000) + "\r\n\r\n");
                assertEquals(431, RawHttp.readResponse(huge.getInputStream()).status());
                RawHttp.assertClosed(huge);
            }
            RawHttp.assertClosed(idle);
        }
    }

    private static String event(String workflowId) {
        String body = "{\"event_key\":\"k\",\"event_payload\":1}";
        return "POST /event/send_event/" + workflowId
                + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" + "Content-Length: "
                + body.length() + "\r\n\r\n" + body;
    }

    private static HttpResponse<String> post(HttpApiServer server, String path, String body) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + server.address().getPort() + path);
        return CLIENT.send(
                HttpRequest.newBuilder(uri)
                        .timeout(Duration.ofSeconds(30))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
