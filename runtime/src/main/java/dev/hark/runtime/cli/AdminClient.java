package dev.hark.runtime.cli;

import dev.hark.runtime.json.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import picocli.CommandLine.Option;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/** The admin API seen from the command line: one request, its JSON answer, or a clear failure. */
final class AdminClient {

    /** The {@code --server} option every client command shares. */
    static final class ServerOption {
        @Option(names = "--server", paramLabel = "URL", defaultValue = "http://127.0.0.1:8000",
                description = "Base URL of a running `hark serve` (default: ${DEFAULT-VALUE}).")
        URI server;
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
            super("cannot reach " + server + " (" + cause.getClass().getSimpleName()
                    + (cause.getMessage() == null ? "" : ": " + cause.getMessage()) + "); is `hark serve` running there?",
                    cause);
        }
    }

    /** The {@code --server} value is not an http(s) URL with a host: bad usage, not a server problem. */
    static final class BadServer extends Exception {
        private static final long serialVersionUID = 1L;

        BadServer(URI server) {
            super("--server must be an http:// or https:// URL with a host, like http://127.0.0.1:8000; was '"
                    + server + "'");
        }
    }

    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private final URI server;

    AdminClient(ServerOption option) throws BadServer {
        this.server = option.server;
        String scheme = server.getScheme();
        if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
                || server.getHost() == null || server.getRawQuery() != null || server.getRawFragment() != null) {
            throw new BadServer(server);
        }
    }

    JsonNode get(String path) throws Refused, Unreachable {
        return send(HttpRequest.newBuilder(resolve(path)).GET());
    }

    JsonNode post(String path, JsonNode body) throws Refused, Unreachable {
        // The server refuses a POST without this type, even a bodiless one (a browser form's defence).
        HttpRequest.Builder request = HttpRequest.newBuilder(resolve(path)).header("Content-Type", "application/json");
        if (body == null) {
            request.POST(HttpRequest.BodyPublishers.noBody());
        } else {
            request.POST(HttpRequest.BodyPublishers.ofString(body.toString()));
        }
        return send(request);
    }

    private URI resolve(String path) {
        String base = server.toString();
        return URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + path);
    }

    private JsonNode send(HttpRequest.Builder request) throws Refused, Unreachable {
        HttpResponse<String> response;
        try {
            response = CLIENT.send(request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
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
            throw new Refused(response.statusCode(), message == null ? response.body() : message.asString());
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
        } catch (BadServer e) {
            err.println("hark: " + e.getMessage());
            return ExitCodes.USAGE;
        }
    }

    /** A client command's body. */
    @FunctionalInterface
    interface ClientCall {
        void run() throws Refused, Unreachable, BadServer;
    }
}
