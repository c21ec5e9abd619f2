package dev.hark.runtime.http;

import dev.hark.runtime.concurrent.DaemonThreads;
import dev.hark.runtime.concurrent.Futures;
import dev.hark.runtime.storage.NodeLeases;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Passes a request for a workflow that another node of the cluster owns to that node, and its
 * answer back: the owner checkpoints the event (or cancels the workflow) and its reply is the reply,
 * so "200 only after the checkpoint" holds across nodes. The request goes as it came (method, path,
 * query, raw body, the headers that matter) with {@value #FORWARDED_BY}; the owner authenticates it
 * again. A forwarded request is never forwarded again (ownership moved meanwhile: 503
 * {@code owner_moved}); an owner that does not answer is 503 {@code owner_unavailable}. In neither
 * case was anything recorded here, so sending again is safe, and exactly-once with an idempotency key.
 */
final class OwnerForwarding {

    /** The header a forwarded request carries: the forwarding node's name. */
    static final String FORWARDED_BY = "Hark-Forwarded-By";

    private static final Logger LOG = LoggerFactory.getLogger(OwnerForwarding.class);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    private static final List<String> FORWARDED_HEADERS =
            List.of("content-type", "authorization", "idempotency-key", "accept");
    private static final List<String> FORWARDED_PREFIXES = List.of("webhook-", "ce-");
    private static final List<String> RELAYED_HEADERS =
            List.of("Content-Type", "Retry-After", "Location", "WWW-Authenticate", "Allow");

    private final Duration replyTimeout;
    private final Supplier<NodeLeases> leases;
    /** Made at the first forward: a runtime alone on its store never needs one. */
    private volatile HttpClient client;

    private ExecutorService clientThreads;

    /**
     * @param replyTimeout how long the owner may take to answer
     * @param leases this node's leases (null when the store is not shared: nothing is forwarded)
     */
    OwnerForwarding(Duration replyTimeout, Supplier<NodeLeases> leases) {
        this.replyTimeout = replyTimeout;
        this.leases = leases;
    }

    /**
     * Answers {@code call}, for {@code workflowId} owned by {@code owner}, with the owner's reply, or
     * with why it cannot have one.
     */
    void forward(HttpCall call, String workflowId, NodeLeases.NodeRef owner) {
        NodeLeases mine = leases.get();
        Duration lease = mine == null ? Duration.ofSeconds(10) : mine.lease();
        String forwardedBy = call.header(FORWARDED_BY);
        if (forwardedBy != null) {
            ObjectNode body = HttpExchanges.error(
                    "owner_moved",
                    "node " + forwardedBy + " forwarded workflow '" + workflowId
                            + "' here, but it runs on node " + owner.name() + " (#" + owner.id()
                            + "): it moved meanwhile; nothing was recorded, send it again",
                    null);
            body.put("workflow_id", workflowId);
            call.reply(503, Map.of("Retry-After", "1"), body);
            return;
        }
        if (!owner.leaseValid() || owner.address().isEmpty()) {
            unavailable(call, workflowId, owner, lease, "which is not answering", true);
            return;
        }
        HttpRequest request;
        try {
            request = request(
                    call,
                    owner.address().get(),
                    mine == null ? "?" : mine.self().name());
        } catch (URISyntaxException | IllegalArgumentException e) {
            unavailable(
                    call,
                    workflowId,
                    owner,
                    lease,
                    "whose address " + owner.address().get() + " is unusable",
                    true);
            return;
        }
        client().sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()).whenComplete((response, failure) -> {
            if (failure == null) {
                call.reply(response.statusCode(), relayedHeaders(response), response.body());
                return;
            }
            Throwable cause = Futures.unwrap(failure);
            boolean notSent = cause instanceof ConnectException || cause instanceof HttpConnectTimeoutException;
            LOG.debug("Forwarding to node {} failed: {}", owner.name(), cause.toString());
            unavailable(
                    call,
                    workflowId,
                    owner,
                    lease,
                    notSent ? "which is not answering" : "which did not answer in time (" + cause + ")",
                    notSent);
        });
    }

    private static void unavailable(
            HttpCall call,
            String workflowId,
            NodeLeases.NodeRef owner,
            Duration lease,
            String why,
            boolean nothingSent) {
        long seconds = Math.max(1, (lease.toMillis() + 999) / 1000);
        ObjectNode body = HttpExchanges.error(
                "owner_unavailable",
                "workflow '" + workflowId + "' runs on node " + owner.name() + " (#" + owner.id() + "), " + why
                        + "; another node takes it over within " + seconds + " s; "
                        + (nothingSent
                                ? "nothing was recorded, send it again"
                                : "it may have been recorded: send it again with the same Idempotency-Key"),
                null);
        body.put("workflow_id", workflowId);
        body.put("owner", owner.name());
        call.reply(503, Map.of("Retry-After", Long.toString(seconds)), body);
    }

    private HttpRequest request(HttpCall call, URI ownerAddress, String self) throws URISyntaxException {
        String target = new URI(ownerAddress.getScheme(), ownerAddress.getRawAuthority(), call.path(), null, null)
                        .toASCIIString()
                + (call.rawQuery() == null ? "" : "?" + call.rawQuery());
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(target))
                .timeout(replyTimeout)
                .method(call.method(), HttpRequest.BodyPublishers.ofByteArray(call.body()));
        for (Map.Entry<String, String> header : call.headerEntries()) {
            String name = header.getKey().toLowerCase(Locale.ROOT);
            if (FORWARDED_HEADERS.contains(name) || FORWARDED_PREFIXES.stream().anyMatch(name::startsWith)) {
                request.header(header.getKey(), header.getValue());
            }
        }
        return request.header(FORWARDED_BY, self).build();
    }

    private static Map<String, String> relayedHeaders(HttpResponse<byte[]> response) {
        Map<String, String> headers = new LinkedHashMap<>();
        for (String name : RELAYED_HEADERS) {
            Optional<String> value = response.headers().firstValue(name);
            value.ifPresent(v -> headers.put(name, v));
        }
        return headers;
    }

    private HttpClient client() {
        HttpClient made = client;
        if (made == null) {
            synchronized (this) {
                made = client;
                if (made == null) {
                    clientThreads = Executors.newCachedThreadPool(DaemonThreads.numbered("hark-forward"));
                    made = HttpClient.newBuilder()
                            .version(HttpClient.Version.HTTP_1_1)
                            .connectTimeout(CONNECT_TIMEOUT)
                            .executor(clientThreads)
                            .build();
                    client = made;
                }
            }
        }
        return made;
    }

    /** Stops the client's threads, if it was ever made. */
    synchronized void close() {
        if (clientThreads != null) {
            clientThreads.shutdownNow();
        }
    }
}
