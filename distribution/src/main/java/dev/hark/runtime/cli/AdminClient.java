package dev.hark.runtime.cli;

import dev.hark.workflow.internal.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.function.Function;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import picocli.CommandLine.Option;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/** The admin API seen from the command line: one request, its JSON answer, or a clear failure. */
final class AdminClient {

    /** How long a request may take before the command gives up. */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

    /** The environment variable holding the token the client sends, unless {@code --token-file} names one. */
    static final String TOKEN_VARIABLE = "HARK_TOKEN";

    /** The options every client command shares: where the server is, and how to prove who we are. */
    static final class ServerOption {
        @Option(
                names = "--server",
                paramLabel = "URL",
                defaultValue = "http://127.0.0.1:8000",
                description = "Base URL of a running `hark serve` (default: ${DEFAULT-VALUE}).")
        URI server;

        @Option(
                names = "--token-file",
                paramLabel = "FILE",
                description = "A file whose first line is the token to send (Authorization: Bearer); default: the"
                        + " environment variable " + TOKEN_VARIABLE + ", if set.")
        Path tokenFile;

        @Option(
                names = "--cacert",
                paramLabel = "FILE",
                description = "Trust the PEM certificate(s) in FILE for an https:// server (e.g. a self-signed one)"
                        + " instead of the system's certificate authorities.")
        Path caCertificates;
    }

    /** A reply that was not a 2xx: its status and the server's message. */
    static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        Refused(int status, String message) {
            super("server answered " + status + ": " + message);
        }
    }

    /** The server did not answer at all. */
    static final class Unreachable extends Exception {
        private static final long serialVersionUID = 1L;

        Unreachable(URI server, Exception cause) {
            super(
                    "cannot reach " + server + " (" + cause.getClass().getSimpleName()
                            + (cause.getMessage() == null ? "" : ": " + cause.getMessage())
                            + "); is `hark serve` running there?",
                    cause);
        }
    }

    /** An option's value cannot be used (not a URL, no such file): bad usage, not a server problem. */
    static final class BadUsage extends Exception {
        private static final long serialVersionUID = 1L;

        BadUsage(String message) {
            super(message);
        }
    }

    private final URI server;
    private final HttpClient client;
    /** The {@code Authorization} header's value, or null to send none. */
    private final String authorization;

    private final String tokenSource;

    AdminClient(ServerOption option, Function<String, String> environment) throws BadUsage {
        this.server = option.server;
        String scheme = server.getScheme();
        if (scheme == null
                || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
                || server.getHost() == null
                || server.getRawQuery() != null
                || server.getRawFragment() != null) {
            throw new BadUsage("--server must be an http:// or https:// URL with a host, like http://127.0.0.1:8000;"
                    + " was '" + server + "'");
        }
        String token = option.tokenFile != null ? readToken(option.tokenFile) : environment.apply(TOKEN_VARIABLE);
        this.authorization = token == null || token.isBlank() ? null : "Bearer " + token.strip();
        this.tokenSource = option.tokenFile != null ? "--token-file " + option.tokenFile : TOKEN_VARIABLE;
        HttpClient.Builder builder =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5));
        if (option.caCertificates != null) {
            builder.sslContext(trusting(option.caCertificates));
        }
        this.client = builder.build();
    }

    private static String readToken(Path file) throws BadUsage {
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line = reader.readLine();
            if (line == null || line.isBlank()) {
                throw new BadUsage("--token-file " + file + " is empty; its first line must be the token");
            }
            return line.strip();
        } catch (IOException e) {
            throw new BadUsage("cannot read --token-file " + file + ": " + e.getMessage());
        }
    }

    /** @return TLS that trusts exactly the certificates in {@code pem} */
    private static SSLContext trusting(Path pem) throws BadUsage {
        try (InputStream in = Files.newInputStream(pem)) {
            KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
            trusted.load(null, null);
            int n = 0;
            for (Certificate certificate :
                    CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                trusted.setCertificateEntry("ca-" + n++, certificate);
            }
            if (n == 0) {
                throw new BadUsage("--cacert " + pem + " holds no PEM certificate");
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trusted);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new BadUsage("cannot use --cacert " + pem + ": " + e.getMessage());
        }
    }

    JsonNode get(String path) throws Refused, Unreachable {
        return send(HttpRequest.newBuilder(resolve(path)).GET(), REQUEST_TIMEOUT);
    }

    JsonNode post(String path, JsonNode body) throws Refused, Unreachable {
        return post(path, body, REQUEST_TIMEOUT);
    }

    /** A POST that may take longer than most (a backup). */
    JsonNode post(String path, JsonNode body, Duration timeout) throws Refused, Unreachable {
        // The server refuses a POST without this type, even a bodiless one (a browser form's defence).
        HttpRequest.Builder request = HttpRequest.newBuilder(resolve(path)).header("Content-Type", "application/json");
        if (body == null) {
            request.POST(HttpRequest.BodyPublishers.noBody());
        } else {
            request.POST(HttpRequest.BodyPublishers.ofString(body.toString()));
        }
        return send(request, timeout);
    }

    private URI resolve(String path) {
        String base = server.toString();
        return URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + path);
    }

    private JsonNode send(HttpRequest.Builder request, Duration timeout) throws Refused, Unreachable {
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        HttpResponse<String> response;
        try {
            response = client.send(request.timeout(timeout).build(), HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw new Unreachable(server, e);
        } catch (IOException e) {
            throw new Unreachable(server, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unreachable(server, e);
        }
        JsonNode body;
        try {
            body = Json.MAPPER.readTree(response.body());
        } catch (JacksonException e) {
            throw new Refused(response.statusCode(), "not a JSON reply: " + response.body());
        }
        if (response.statusCode() / 100 != 2) {
            JsonNode message = body == null ? null : body.get("message");
            String text = message == null ? response.body() : message.asString();
            if (response.statusCode() == 401 || response.statusCode() == 403 && authorization != null) {
                text += authorization == null
                        ? " (no token was sent: set " + TOKEN_VARIABLE + " or give --token-file)"
                        : " (the token sent came from " + tokenSource + ")";
            }
            throw new Refused(response.statusCode(), text);
        }
        return body;
    }

    /** Runs one client command: prints its failure, and maps it to an exit code. */
    static int run(PrintWriter err, ClientCall call) {
        try {
            call.run();
            return ExitCodes.OK;
        } catch (Refused e) {
            err.println("hark: " + e.getMessage());
            return ExitCodes.REFUSED;
        } catch (Unreachable e) {
            err.println("hark: " + e.getMessage());
            return ExitCodes.UNREACHABLE;
        } catch (BadUsage e) {
            err.println("hark: " + e.getMessage());
            return ExitCodes.USAGE;
        }
    }

    /** A client command's body. */
    @FunctionalInterface
    interface ClientCall {
        void run() throws Refused, Unreachable, BadUsage;
    }
}
