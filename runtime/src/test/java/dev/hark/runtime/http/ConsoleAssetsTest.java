package dev.hark.runtime.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hark.runtime.Hark;
import dev.hark.runtime.http.RawHttp.Response;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console's files as a real {@code hark} runtime serves them on a real port: types, policy,
 * revalidation, methods, unknown names and traversal attempts, and where (and to whom) they are
 * served next to the admin API.
 */
class ConsoleAssetsTest {

    private static final String ADMIN = "admin-token-0123456789";

    @TempDir
    Path dataDir;

    private Hark hark;

    @AfterEach
    void close() {
        if (hark != null) {
            hark.close();
        }
    }

    private int serve(HttpSettings http) {
        hark = Hark.builder().dataDir(dataDir).http(http).adminApi(true).open();
        return hark.httpAddress().orElseThrow().getPort();
    }

    @Test
    void servesEachFileWithItsTypeAStrictPolicyAndAnEtag() throws IOException {
        int port = serve(HttpSettings.defaults().withPort(0));
        Response page = get(port, "/console", "");
        assertEquals(200, page.status(), page.body());
        assertEquals("text/html; charset=utf-8", page.headers().get("content-type"));
        assertTrue(page.body().contains("<script src=\"/console/console.js\""), page.body());
        assertEquals(page.body(), get(port, "/console/", "").body());
        assertEquals(page.body(), get(port, "/console/index.html", "").body());
        for (Response file :
                List.of(page, get(port, "/console/console.js", ""), get(port, "/console/console.css", ""))) {
            String policy = file.headers().get("content-security-policy");
            assertTrue(policy != null && policy.startsWith("default-src 'self';"), String.valueOf(policy));
            assertFalse(policy.contains("unsafe"), policy);
            assertTrue(policy.contains("frame-ancestors 'none'"), policy);
            assertEquals("nosniff", file.headers().get("x-content-type-options"));
            assertTrue(
                    file.headers().get("etag").matches("\"[0-9a-f]{32}\""),
                    file.headers().toString());
        }
        Response script = get(port, "/console/console.js", "");
        assertEquals("text/javascript; charset=utf-8", script.headers().get("content-type"));
        assertTrue(script.body().contains("sessionStorage"), "the console's own script");
        assertEquals(
                "text/css; charset=utf-8",
                get(port, "/console/console.css", "").headers().get("content-type"));
    }

    @Test
    void aMatchingEtagIsAnsweredNotModified() throws IOException {
        int port = serve(HttpSettings.defaults().withPort(0));
        String etag = get(port, "/console/console.js", "").headers().get("etag");
        Response same = get(port, "/console/console.js", "If-None-Match: " + etag + "\r\n");
        assertEquals(304, same.status());
        assertEquals("", same.body());
        assertEquals(etag, same.headers().get("etag"));
        assertEquals(
                304,
                get(port, "/console/console.js", "If-None-Match: \"other\", W/" + etag + "\r\n")
                        .status());
        Response changed = get(port, "/console/console.js", "If-None-Match: \"0123\"\r\n");
        assertEquals(200, changed.status());
        assertTrue(changed.body().length() > 100);
        assertEquals(
                200,
                get(port, "/console/console.css", "If-None-Match: " + etag + "\r\n")
                        .status(),
                "another file's tag");
    }

    @Test
    void onlyGetIsAllowed() throws IOException {
        int port = serve(HttpSettings.defaults().withPort(0));
        for (String method : List.of("POST", "PUT", "DELETE", "HEAD")) {
            Response refused = exchange(
                    port,
                    method + " /console/console.js HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                            + "Content-Length: 0\r\nConnection: close\r\n\r\n",
                    !method.equals("HEAD"));
            assertEquals(405, refused.status(), method);
            assertEquals("GET", refused.headers().get("allow"), method);
        }
    }

    @Test
    void unknownNamesAndTraversalsAreNotFound() throws IOException {
        int port = serve(HttpSettings.defaults().withPort(0));
        for (String path : List.of(
                "/console/nope.js",
                "/console/index.htm",
                "/console/../pom.xml",
                "/console/%2e%2e/dev/hark/runtime/Hark.class",
                "/console/..%2f..%2fdev/hark/runtime/Hark.class",
                "/console/%2e%2e%2f%2e%2e%2fMETA-INF/MANIFEST.MF",
                "/console//console.js",
                "/console/dev/hark/console/index.html",
                "/console/console.js/",
                "/console/CONSOLE.JS")) {
            Response missing = get(port, path, "");
            assertEquals(404, missing.status(), path + ": " + missing.body());
            assertEquals("application/json", missing.headers().get("content-type"), path);
            assertTrue(missing.body().contains("\"not_found\""), path + ": " + missing.body());
        }
        assertEquals(404, get(port, "/consoles", "").status(), "not under /console");
    }

    @Test
    void theFilesNeedNoTokenButEveryDataCallDoes() throws IOException {
        Credentials credentials = Credentials.parse("admin " + ADMIN, "test");
        int port = serve(HttpSettings.defaults().withPort(0).withCredentials(credentials));
        assertEquals(200, get(port, "/console", "").status(), "a browser cannot send a token with a page load");
        assertEquals(401, get(port, "/workflows", "").status());
        assertEquals(401, get(port, "/health", "").status());
        assertEquals(
                200,
                get(port, "/workflows", "Authorization: Bearer " + ADMIN + "\r\n")
                        .status());
        assertEquals(
                403,
                get(port, "/console", "Sec-Fetch-Site: cross-site\r\n").status(),
                "the server's browser defences cover the console too");
    }

    @Test
    void theConsoleIsServedWhereTheAdminApiIsAndNowhereElse() throws IOException {
        hark = Hark.builder()
                .dataDir(dataDir)
                .http(HttpSettings.defaults().withPort(0))
                .adminHttp(HttpSettings.defaults().withPort(0))
                .open();
        int events = hark.httpAddress().orElseThrow().getPort();
        int admin = hark.adminAddress().orElseThrow().getPort();
        Response elsewhere = get(events, "/console", "");
        assertEquals(404, elsewhere.status());
        assertTrue(elsewhere.body().contains("the console with it) is served on its own address"), elsewhere.body());
        assertEquals(200, get(admin, "/console", "").status());
        hark.close();

        hark = Hark.builder()
                .dataDir(dataDir)
                .http(HttpSettings.defaults().withPort(0))
                .open(); // events only: no admin API, no console
        assertEquals(
                404,
                get(hark.httpAddress().orElseThrow().getPort(), "/console", "").status());
    }

    private static Response get(int port, String path, String headers) throws IOException {
        return exchange(port, "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers + "\r\n", true);
    }

    private static Response exchange(int port, String request, boolean body) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(RawHttp.GENEROUS_MILLIS);
            RawHttp.send(socket, request);
            if (body) {
                return RawHttp.readResponse(socket.getInputStream());
            }
            // A reply to HEAD names its body's length but sends none.
            InputStream in = socket.getInputStream();
            int status = Integer.parseInt(RawHttp.readLine(in).split(" ")[1]);
            Map<String, String> headers = new HashMap<>();
            for (String line = RawHttp.readLine(in); !line.isEmpty(); line = RawHttp.readLine(in)) {
                int colon = line.indexOf(':');
                headers.put(
                        line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        line.substring(colon + 1).trim());
            }
            return new Response(status, headers, "");
        }
    }
}
