package dev.hark.runtime.http;

import static dev.hark.runtime.http.RawHttp.assertClosed;
import static dev.hark.runtime.http.RawHttp.readResponse;
import static dev.hark.runtime.http.RawHttp.send;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hark.runtime.event.Delivery;
import dev.hark.runtime.http.RawHttp.Response;
import dev.hark.runtime.storage.WorkflowSummary;
import dev.hark.runtime.testing.Await;
import dev.hark.workflow.WorkflowStatus;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The server against clients that misbehave, over raw sockets: idle and stalled connections,
 * floods of connections, oversized and broken requests, pipelining, and browsers sent by another
 * site. Timeouts and caps are lowered through {@link HttpSettings}, so each test takes at most a
 * few seconds; none asserts a duration beyond "within a generous bound".
 */
class HostileClientTest {

    /** How long a test waits for something that should take milliseconds. */
    private static final int GENEROUS_MILLIS = RawHttp.GENEROUS_MILLIS;

    /** Event sends by workflow id; a test completes them when it likes. */
    private final Map<String, CompletableFuture<Delivery>> held = new ConcurrentHashMap<>();

    private final List<String> sent = new CopyOnWriteArrayList<>();
    private final List<String> cancelled = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = new ArrayList<>();
    private HttpApiServer server;

    private final EventSender sender = (workflowId, key, payload, idempotencyKey) -> {
        sent.add(workflowId);
        if (workflowId.startsWith("hold-")) {
            return held.computeIfAbsent(workflowId, id -> new CompletableFuture<>());
        }
        return CompletableFuture.completedFuture(new Delivery.Accepted(workflowId, key, "ev-" + workflowId));
    };

    @AfterEach
    void close() throws IOException {
        for (Socket socket : sockets) {
            socket.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private HttpApiServer start(HttpSettings settings) {
        server = HttpApiServer.start(settings.withPort(0), sender, new FakeAdmin(), HttpApiServer.Transport.best());
        return server;
    }

    private static HttpSettings settings() {
        return HttpSettings.defaults();
    }

    @Test
    void anIdleConnectionIsClosed() throws Exception {
        start(settings().withIdleTimeout(Duration.ofMillis(300)));
        Socket silent = connect();
        Socket afterOneRequest = connect();
        send(afterOneRequest, event("wf-1", null));
        assertEquals(200, readResponse(afterOneRequest.getInputStream()).status());

        assertClosed(silent);
        assertClosed(afterOneRequest);
    }

    @Test
    void aStalledBodyIsAnswered408AndTheConnectionClosed() throws Exception {
        start(settings().withRequestReadTimeout(Duration.ofMillis(300)));
        Socket socket = connect();
        send(
                socket,
                "POST /event/send_event/wf-1 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                        + "Content-Length: 100\r\n\r\n{\"event_key\":");

        Response response = readResponse(socket.getInputStream());
        assertEquals(408, response.status(), response.body());
        assertTrue(response.body().contains("request_timeout"), response.body());
        assertClosed(socket);
        assertEquals(List.of(), sent);
    }

    @Test
    void aTrickledRequestLineIsCutOffAlthoughBytesKeepComing() throws Exception {
        start(settings().withRequestReadTimeout(Duration.ofMillis(500)));
        Socket socket = connect();
        byte[] line = "GET /health HTTP/1.1\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII);
        long until = System.nanoTime() + Duration.ofMillis(GENEROUS_MILLIS).toNanos();
        boolean cut = false;
        for (int i = 0; System.nanoTime() < until; i++) {
            try {
                socket.getOutputStream().write(line[Math.min(i, line.length - 1)]);
                socket.getOutputStream().flush();
            } catch (IOException e) {
                cut = true; // reset by the server
                break;
            }
            if (socket.getInputStream().available() > 0) {
                cut = true;
                break;
            }
            Thread.sleep(50); // the trickle's pace: this loop is the slow client, not a wait
        }
        assertTrue(cut, "the server answered or closed a request trickled for longer than its read timeout");
        try {
            Response response = readResponse(socket.getInputStream());
            assertEquals(408, response.status(), response.body());
        } catch (IOException reset) {
            // the reset may have discarded the 408
        }
    }

    @Test
    void connectionsOverTheCapAreAnswered503AndClosed() throws Exception {
        start(settings().withMaxConnections(2));
        Socket first = connect();
        Socket second = connect();
        for (Socket socket : List.of(first, second)) { // both accepted and counted
            send(socket, "GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n");
            assertEquals(200, readResponse(socket.getInputStream()).status());
        }

        Socket third = connect();
        Response refused = readResponse(third.getInputStream());
        assertEquals(503, refused.status(), refused.body());
        assertEquals("close", refused.headers().get("connection"));
        assertTrue(refused.body().contains("too_many_connections"), refused.body());
        assertClosed(third);

        first.close();
        Await.value( // the server sees the close a moment later
                Duration.ofMillis(GENEROUS_MILLIS),
                () -> {
                    Socket again = connect();
                    send(again, "GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n");
                    return readResponse(again.getInputStream()).status();
                },
                status -> status == 200,
                status -> "a connection is served again once one closed, but the last one got " + status);
    }

    @Test
    void acceptFailuresAreLoggedOncePerIntervalWithoutStackTraces() throws Exception {
        start(settings());
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            for (int i = 0; i < 200; i++) {
                server.serverChannel().pipeline().fireExceptionCaught(new IOException("Too many open files"));
            }
            server.serverChannel().eventLoop().submit(() -> {}).get(); // the failures are handled on the loop
        } finally {
            System.setErr(err);
        }
        String log = captured.toString(StandardCharsets.UTF_8);
        long lines = log.lines().filter(l -> l.contains("Too many open files")).count();
        assertTrue(lines >= 1 && lines <= 2, "expected one line, got:\n" + log);
        assertTrue(log.lines().noneMatch(l -> l.startsWith("\tat ")), "no stack traces:\n" + log);

        Socket socket = connect(); // still accepting (after the pause)
        send(socket, "GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n");
        assertEquals(200, readResponse(socket.getInputStream()).status());
    }

    @Test
    void anOversizedRequestLineGets414AndTheConnectionClosed() throws Exception {
        start(settings());
        Socket socket = connect();
        send(socket, "GET /workflows/" + "a".repeat(5000) + " HTTP/1.1\r\nHost: localhost\r\n\r\n");
        Response response = readResponse(socket.getInputStream());
        assertEquals(414, response.status(), response.body());
        assertClosed(socket);
    }

    @Test
    void oversizedHeadersGet431AndTheConnectionClosed() throws Exception {
        start(settings());
        Socket socket = connect();
        send(socket, "GET /health HTTP/1.1\r\nHost: localhost\r\nX-Big: " + "b".repeat(9000) + "\r\n\r\n");
        Response response = readResponse(socket.getInputStream());
        assertEquals(431, response.status(), response.body());
        assertClosed(socket);
    }

    @Test
    void aMalformedRequestGets400AndTheConnectionClosed() throws Exception {
        start(settings());
        Socket socket = connect();
        send(
                socket,
                "POST /event/send_event/wf-1 HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                        + "Content-Length: 12abc\r\n\r\n{}");
        Response response = readResponse(socket.getInputStream());
        assertEquals(400, response.status(), response.body());
        assertClosed(socket);
        assertEquals(List.of(), sent);
    }

    @Test
    void pipelinedRequestsAreAnsweredInRequestOrder() throws Exception {
        start(settings());
        Socket socket = connect();
        send(
                socket,
                event("hold-1", null) + "GET /nope HTTP/1.1\r\nHost: localhost\r\n\r\n"
                        + "GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n" + event("pipe-2", null));
        awaitSent(2);
        Thread.sleep(100); // the later replies are ready long before the first
        held.get("hold-1").complete(new Delivery.Accepted("hold-1", "k", "ev-hold-1"));

        InputStream in = socket.getInputStream();
        Response first = readResponse(in);
        assertEquals(200, first.status(), first.body());
        assertTrue(first.body().contains("hold-1"), first.body());
        assertEquals(404, readResponse(in).status());
        Response health = readResponse(in);
        assertEquals(200, health.status(), health.body());
        assertTrue(health.body().contains("\"status\":\"ok\""), health.body());
        Response last = readResponse(in);
        assertEquals(200, last.status(), last.body());
        assertTrue(last.body().contains("pipe-2"), last.body());
    }

    @Test
    void aConnectionStopsReadingWhenTooManyRequestsAwaitTheirReplies() throws Exception {
        start(settings());
        Socket socket = connect();
        StringBuilder requests = new StringBuilder();
        for (int i = 0; i < 3 * HttpConnection.MAX_PENDING_REQUESTS; i++) {
            requests.append(event("hold-" + i, null));
        }
        send(socket, requests.toString());
        awaitSent(HttpConnection.MAX_PENDING_REQUESTS);
        Thread.sleep(300); // give the connection every chance to read one request too many
        assertEquals(
                HttpConnection.MAX_PENDING_REQUESTS, sent.size(), "requests read before earlier ones were answered");

        for (int i = 0; i < 3 * HttpConnection.MAX_PENDING_REQUESTS; i++) { // answered as they are read
            awaitSent(i + 1);
            held.get("hold-" + i).complete(new Delivery.Accepted("hold-" + i, "k", "ev-" + i));
            Response response = readResponse(socket.getInputStream());
            assertTrue(response.body().contains("\"hold-" + i + "\""), response.body());
        }
    }

    @Test
    void aForeignHostIsRefused421AndLoopbackNamesOrAddressesPass() throws Exception {
        start(settings());
        Socket socket = connect();
        for (String host :
                List.of("localhost", "localhost:8000", "127.0.0.1:1234", "[::1]:8000", "LOCALHOST", "10.1.2.3")) {
            send(socket, "GET /health HTTP/1.1\r\nHost: " + host + "\r\n\r\n");
            Response response = readResponse(socket.getInputStream());
            assertEquals(200, response.status(), host + ": " + response.body());
        }
        for (String host :
                List.of("evil.example", "evil.example:8000", "localhost.evil.example", "127.0.0.1.evil.example")) {
            send(socket, "GET /health HTTP/1.1\r\nHost: " + host + "\r\n\r\n");
            Response response = readResponse(socket.getInputStream());
            assertEquals(421, response.status(), host + ": " + response.body());
            assertTrue(response.body().contains("host_not_allowed"), response.body());
        }
        send(
                socket,
                "POST /workflows/wf-1/cancel HTTP/1.1\r\nHost: rebound.example:8000\r\n"
                        + "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}");
        assertEquals(421, readResponse(socket.getInputStream()).status());
        assertEquals(List.of(), cancelled);
    }

    @Test
    void aConfiguredHostNamePasses() throws Exception {
        start(settings().withAllowedHosts(List.of("hark.internal")));
        Socket socket = connect();
        send(socket, "GET /health HTTP/1.1\r\nHost: hark.internal:8000\r\n\r\n");
        assertEquals(200, readResponse(socket.getInputStream()).status());
        send(socket, "GET /health HTTP/1.1\r\nHost: localhost:8000\r\n\r\n");
        assertEquals(421, readResponse(socket.getInputStream()).status(), "the list replaces the default names");
    }

    @Test
    void crossSiteBrowserRequestsAreRefused403() throws Exception {
        start(settings());
        Socket socket = connect();
        String cancel =
                "POST /workflows/wf-1/cancel HTTP/1.1\r\nHost: 127.0.0.1:8000\r\nContent-Type: application/json\r\n"
                        + "Content-Length: 2\r\n";
        for (String header : List.of(
                "Origin: https://evil.example",
                "Origin: null",
                "Sec-Fetch-Site: cross-site",
                "Origin: http://127.0.0.1.evil.example:8000")) {
            send(socket, cancel + header + "\r\n\r\n{}");
            Response response = readResponse(socket.getInputStream());
            assertEquals(403, response.status(), header + ": " + response.body());
        }
        send(socket, event("wf-x", "Origin: https://evil.example"));
        assertEquals(403, readResponse(socket.getInputStream()).status());
        assertEquals(List.of(), cancelled);
        assertEquals(List.of(), sent);

        send(socket, cancel + "Origin: http://localhost:3000\r\nSec-Fetch-Site: same-site\r\n\r\n{}");
        assertEquals(200, readResponse(socket.getInputStream()).status());
        assertEquals(List.of("wf-1"), cancelled);
    }

    @Test
    void aFormPostToAnAdminEndpointIsRefused415() throws Exception {
        start(settings());
        Socket socket = connect();
        for (String type :
                List.of("Content-Type: application/x-www-form-urlencoded\r\n", "Content-Type: text/plain\r\n", "")) {
            send(
                    socket,
                    "POST /workflows/wf-1/cancel HTTP/1.1\r\nHost: localhost\r\n" + type
                            + "Content-Length: 3\r\n\r\na=b");
            Response response = readResponse(socket.getInputStream());
            assertEquals(415, response.status(), type + response.body());
        }
        assertEquals(List.of(), cancelled);
        send(
                socket,
                "POST /workflows/wf-1/cancel HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                        + "Content-Length: 0\r\n\r\n");
        assertEquals(200, readResponse(socket.getInputStream()).status());
        assertEquals(List.of("wf-1"), cancelled);
    }

    // --- raw HTTP/1.1 over a socket

    private Socket connect() throws IOException {
        Socket socket = new Socket("127.0.0.1", server.address().getPort());
        socket.setSoTimeout(GENEROUS_MILLIS);
        sockets.add(socket);
        return socket;
    }

    private static String event(String workflowId, String extraHeader) {
        String body = "{\"event_key\":\"k\",\"event_payload\":1}";
        return "POST /event/send_event/" + workflowId
                + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + (extraHeader == null ? "" : extraHeader + "\r\n")
                + "Content-Length: " + body.length() + "\r\n\r\n" + body;
    }

    private void awaitSent(int count) throws InterruptedException {
        Await.until(
                Duration.ofMillis(GENEROUS_MILLIS),
                () -> sent.size() >= count,
                () -> "expected " + count + " sent, sent " + sent);
    }

    /** Admin operations that only record cancellations. */
    private final class FakeAdmin implements AdminOperations {
        @Override
        public CompletableFuture<String> start(String definition, String workflowId, Map<String, Object> input) {
            return CompletableFuture.completedFuture(workflowId);
        }

        @Override
        public List<String> definitions() {
            return List.of();
        }

        @Override
        public WorkflowStatus status(String workflowId) {
            return WorkflowStatus.RUNNING;
        }

        @Override
        public Optional<String> error(String workflowId) {
            return Optional.empty();
        }

        @Override
        public Object output(String workflowId) {
            return null;
        }

        @Override
        public List<WorkflowSummary> list(Optional<WorkflowStatus> status) {
            return List.of();
        }

        @Override
        public void cancel(String workflowId) {
            cancelled.add(workflowId);
        }

        @Override
        public Map<String, Object> health() {
            return Map.of("status", AdminOperations.HEALTH_OK);
        }
    }
}
