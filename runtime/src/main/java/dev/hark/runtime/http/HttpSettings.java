package dev.hark.runtime.http;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Settings of the HTTP endpoint.
 *
 * @param host the address to bind; 127.0.0.1 by default, so nothing outside the machine can send
 *     events unless told to
 * @param port the port; 8000 by default, as Ray's; 0 picks a free one
 * @param maxBodyBytes requests with a larger body are refused with 413
 * @param replyTimeout how long a request may wait for its event's checkpoint before it is answered
 *     503; the event may still be recorded, and a retry then gets 409
 * @param idleTimeout a connection with no request in progress and nothing read or written for this
 *     long is closed (60 s by default)
 * @param requestReadTimeout a request must arrive whole (request line, headers and body) within
 *     this long of its first byte, else it is answered 408 and its connection closed (30 s by default)
 * @param maxConnections open connections beyond this many are answered 503 and closed at once
 *     (10,000 by default)
 * @param maxRequestLineBytes a longer request line is answered 414 (4,096 by default)
 * @param maxHeaderBytes larger headers are answered 431 (8,192 by default)
 * @param allowedHosts host names (without port) accepted in the {@code Host} and {@code Origin}
 *     headers besides IP address literals; {@code "*"} accepts any. By default the loopback names
 *     {@code localhost}, {@code 127.0.0.1} and {@code [::1]}, plus {@link #host} when it is a specific
 *     name (see {@link #effectiveAllowedHosts()})
 * @param credentials who may use the server: with {@link Credentials#none()} (the default) every
 *     request is served, which is safe only on loopback; otherwise every request but
 *     {@code /health/live} and {@code /health/ready} needs a token or a webhook signature
 * @param tls HTTPS from PEM files, or null for plain HTTP (the default)
 */
public record HttpSettings(
        String host,
        int port,
        int maxBodyBytes,
        Duration replyTimeout,
        Duration idleTimeout,
        Duration requestReadTimeout,
        int maxConnections,
        int maxRequestLineBytes,
        int maxHeaderBytes,
        List<String> allowedHosts,
        Credentials credentials,
        TlsSettings tls) {

    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 8000;
    public static final int DEFAULT_MAX_BODY_BYTES = 1 << 20;
    public static final Duration DEFAULT_REPLY_TIMEOUT = Duration.ofSeconds(30);
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);
    public static final Duration DEFAULT_REQUEST_READ_TIMEOUT = Duration.ofSeconds(30);
    public static final int DEFAULT_MAX_CONNECTIONS = 10_000;
    public static final int DEFAULT_MAX_REQUEST_LINE_BYTES = 4096;
    public static final int DEFAULT_MAX_HEADER_BYTES = 8192;
    public static final List<String> DEFAULT_ALLOWED_HOSTS = List.of("localhost", "127.0.0.1", "[::1]");

    public HttpSettings {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(replyTimeout, "replyTimeout");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(requestReadTimeout, "requestReadTimeout");
        allowedHosts = List.copyOf(allowedHosts);
        Objects.requireNonNull(credentials, "credentials (Credentials.none() for none)");
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be 0-65535, was " + port);
        }
        if (maxBodyBytes < 64) {
            throw new IllegalArgumentException("maxBodyBytes must be at least 64, was " + maxBodyBytes);
        }
        positive(replyTimeout, "replyTimeout");
        positive(idleTimeout, "idleTimeout");
        positive(requestReadTimeout, "requestReadTimeout");
        if (maxConnections < 1) {
            throw new IllegalArgumentException("maxConnections must be at least 1, was " + maxConnections);
        }
        if (maxRequestLineBytes < 64) {
            throw new IllegalArgumentException("maxRequestLineBytes must be at least 64, was " + maxRequestLineBytes);
        }
        if (maxHeaderBytes < 256) {
            throw new IllegalArgumentException("maxHeaderBytes must be at least 256, was " + maxHeaderBytes);
        }
        for (String name : allowedHosts) {
            if (name.isEmpty() || name.indexOf(':') >= 0 && !name.startsWith("[")) {
                throw new IllegalArgumentException("allowedHosts holds host names without a port, was '" + name + "'");
            }
        }
    }

    /** The settings of earlier versions; everything else at its default. */
    public HttpSettings(String host, int port, int maxBodyBytes, Duration replyTimeout) {
        this(
                host,
                port,
                maxBodyBytes,
                replyTimeout,
                DEFAULT_IDLE_TIMEOUT,
                DEFAULT_REQUEST_READ_TIMEOUT,
                DEFAULT_MAX_CONNECTIONS,
                DEFAULT_MAX_REQUEST_LINE_BYTES,
                DEFAULT_MAX_HEADER_BYTES,
                DEFAULT_ALLOWED_HOSTS,
                Credentials.none(),
                null);
    }

    private static void positive(Duration duration, String name) {
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + duration);
        }
    }

    /**
     * @return 127.0.0.1:8000, 1 MiB bodies, 30 s to checkpoint, 60 s idle, 30 s to read a request,
     *     10,000 connections, 4 KiB request lines, 8 KiB headers, loopback host names
     */
    public static HttpSettings defaults() {
        return new HttpSettings(DEFAULT_HOST, DEFAULT_PORT, DEFAULT_MAX_BODY_BYTES, DEFAULT_REPLY_TIMEOUT);
    }

    /**
     * @return the names accepted in {@code Host} and {@code Origin}, lower case: {@link #allowedHosts}
     *     plus the bound host unless it is a wildcard address
     */
    public List<String> effectiveAllowedHosts() {
        String bound = host.toLowerCase(Locale.ROOT);
        if (bound.indexOf(':') >= 0 && !bound.startsWith("[")) {
            bound = "[" + bound + "]";
        }
        boolean wildcard = bound.equals("0.0.0.0") || bound.equals("[::]") || bound.equals("[::0]") || bound.isEmpty();
        List<String> names = new ArrayList<>();
        for (String name : allowedHosts) {
            names.add(name.toLowerCase(Locale.ROOT));
        }
        if (!wildcard && !names.contains(bound)) {
            names.add(bound);
        }
        return List.copyOf(names);
    }

    public HttpSettings withHost(String newHost) {
        return with(c -> c.host = newHost);
    }

    public HttpSettings withPort(int newPort) {
        return with(c -> c.port = newPort);
    }

    public HttpSettings withMaxBodyBytes(int newMaxBodyBytes) {
        return with(c -> c.maxBodyBytes = newMaxBodyBytes);
    }

    public HttpSettings withReplyTimeout(Duration newReplyTimeout) {
        return with(c -> c.replyTimeout = newReplyTimeout);
    }

    public HttpSettings withIdleTimeout(Duration newIdleTimeout) {
        return with(c -> c.idleTimeout = newIdleTimeout);
    }

    public HttpSettings withRequestReadTimeout(Duration newRequestReadTimeout) {
        return with(c -> c.requestReadTimeout = newRequestReadTimeout);
    }

    public HttpSettings withMaxConnections(int newMaxConnections) {
        return with(c -> c.maxConnections = newMaxConnections);
    }

    public HttpSettings withMaxRequestLineBytes(int newMaxRequestLineBytes) {
        return with(c -> c.maxRequestLineBytes = newMaxRequestLineBytes);
    }

    public HttpSettings withMaxHeaderBytes(int newMaxHeaderBytes) {
        return with(c -> c.maxHeaderBytes = newMaxHeaderBytes);
    }

    public HttpSettings withAllowedHosts(List<String> newAllowedHosts) {
        return with(c -> c.allowedHosts = newAllowedHosts);
    }

    public HttpSettings withCredentials(Credentials newCredentials) {
        return with(c -> c.credentials = newCredentials);
    }

    /** @param newTls HTTPS from PEM files, or null for plain HTTP */
    public HttpSettings withTls(TlsSettings newTls) {
        return with(c -> c.tls = newTls);
    }

    /** @return these settings with {@code change} applied to a copy of their fields, validated again */
    private HttpSettings with(Consumer<Fields> change) {
        Fields fields = new Fields(this);
        change.accept(fields);
        return fields.settings();
    }

    /** The components of a settings record, mutable while one {@code with…} call changes one of them. */
    private static final class Fields {
        String host;
        int port;
        int maxBodyBytes;
        Duration replyTimeout;
        Duration idleTimeout;
        Duration requestReadTimeout;
        int maxConnections;
        int maxRequestLineBytes;
        int maxHeaderBytes;
        List<String> allowedHosts;
        Credentials credentials;
        TlsSettings tls;

        Fields(HttpSettings from) {
            host = from.host;
            port = from.port;
            maxBodyBytes = from.maxBodyBytes;
            replyTimeout = from.replyTimeout;
            idleTimeout = from.idleTimeout;
            requestReadTimeout = from.requestReadTimeout;
            maxConnections = from.maxConnections;
            maxRequestLineBytes = from.maxRequestLineBytes;
            maxHeaderBytes = from.maxHeaderBytes;
            allowedHosts = from.allowedHosts;
            credentials = from.credentials;
            tls = from.tls;
        }

        HttpSettings settings() {
            return new HttpSettings(
                    host,
                    port,
                    maxBodyBytes,
                    replyTimeout,
                    idleTimeout,
                    requestReadTimeout,
                    maxConnections,
                    maxRequestLineBytes,
                    maxHeaderBytes,
                    allowedHosts,
                    credentials,
                    tls);
        }
    }

    /** @return whether {@link #host} is a loopback address, reachable only from this machine */
    public boolean isLoopback() {
        String bound = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (bound.equalsIgnoreCase("localhost")) {
            return true;
        }
        try {
            return InetAddress.getByName(bound).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
