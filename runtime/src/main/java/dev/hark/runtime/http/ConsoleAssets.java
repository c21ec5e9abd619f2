package dev.hark.runtime.http;

import dev.hark.workflow.internal.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The web console's files, served at {@code /console} by every server that serves the admin API.
 * They are read once from this jar ({@code dev/hark/console/}); nothing comes from elsewhere.
 *
 * <p>Only the files named here are served, looked up by exact path, so no request can reach
 * another resource ({@code ..}, encoded or not, is just an unknown name: 404). The files hold code,
 * never data, so they are served without a credential, as a login page would be; every call the
 * page makes for data goes to the admin API and needs the admin token like any other client's.
 *
 * <p>Each reply carries a strict {@code Content-Security-Policy} (scripts, styles and requests from
 * this origin only, no framing) and an {@code ETag}; a matching {@code If-None-Match} gets 304.
 */
final class ConsoleAssets {

    static final String PATH = "/console";
    /** Allows only this origin's own files and requests: no inline script or style, no framing. */
    static final String POLICY =
            "default-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; object-src 'none'";

    private static final String RESOURCES = "/dev/hark/console/";
    private static final ConsoleAssets BUNDLED = new ConsoleAssets(ConsoleAssets.class);

    /** A file's bytes and the headers that go with them. */
    private record Asset(byte[] bytes, String contentType, String etag) {}

    private final Map<String, Asset> assets = new LinkedHashMap<>();

    private ConsoleAssets(Class<?> loader) {
        Asset index = load(loader, "index.html", "text/html; charset=utf-8");
        assets.put(PATH, index);
        assets.put(PATH + "/", index);
        assets.put(PATH + "/index.html", index);
        assets.put(PATH + "/console.js", load(loader, "console.js", "text/javascript; charset=utf-8"));
        assets.put(PATH + "/console.css", load(loader, "console.css", "text/css; charset=utf-8"));
    }

    /** @return the console shipped in this jar */
    static ConsoleAssets bundled() {
        return BUNDLED;
    }

    /** @return whether {@code path} is the console's or under it (served here, or answered 404 here) */
    static boolean serves(String path) {
        return path.equals(PATH) || path.startsWith(PATH + "/");
    }

    void serve(HttpCall call) {
        Asset asset = assets.get(call.path());
        if (asset == null) {
            call.reply(
                    404,
                    Json.MAPPER.writeValueAsBytes(HttpExchanges.error(
                            "not_found", "no such console file: " + call.path() + "; open " + PATH, null)));
            return;
        }
        if (!call.method().equals("GET")) {
            call.reply(
                    405,
                    Map.of("Allow", "GET"),
                    Json.MAPPER.writeValueAsBytes(HttpExchanges.error(
                            "method_not_allowed", call.method() + " is not allowed here; use GET", null)));
            return;
        }
        Map<String, String> headers = Map.of(
                "Content-Type", asset.contentType(),
                "ETag", asset.etag(),
                "Cache-Control", "no-cache", // revalidate each time: a new runtime version may ship new files
                "Content-Security-Policy", POLICY,
                "X-Content-Type-Options", "nosniff",
                "X-Frame-Options", "DENY",
                "Referrer-Policy", "no-referrer");
        if (matches(call.header("If-None-Match"), asset.etag())) {
            call.reply(304, headers, new byte[0]);
        } else {
            call.reply(200, headers, asset.bytes());
        }
    }

    /** RFC 9110 §13.1.2: a weak comparison against each entity tag of the list, or {@code *}. */
    private static boolean matches(String ifNoneMatch, String etag) {
        if (ifNoneMatch == null) {
            return false;
        }
        for (String tag : ifNoneMatch.split(",")) {
            String trimmed = tag.strip();
            if (trimmed.equals("*") || (trimmed.startsWith("W/") ? trimmed.substring(2) : trimmed).equals(etag)) {
                return true;
            }
        }
        return false;
    }

    private static Asset load(Class<?> loader, String name, String contentType) {
        byte[] bytes;
        try (InputStream in = loader.getResourceAsStream(RESOURCES + name)) {
            if (in == null) {
                throw new IllegalStateException("the console file " + RESOURCES + name + " is missing from the jar");
            }
            bytes = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the console file " + RESOURCES + name, e);
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
            return new Asset(bytes, contentType, "\"" + HexFormat.of().formatHex(digest, 0, 16) + "\"");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
