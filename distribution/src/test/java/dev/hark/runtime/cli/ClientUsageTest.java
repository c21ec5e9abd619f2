package dev.hark.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hark.listeners.http.HttpListener;
import dev.hark.runtime.Hark;
import dev.hark.runtime.http.Credentials;
import dev.hark.runtime.http.HttpSettings;
import dev.hark.runtime.http.TlsSettings;
import dev.hark.runtime.testing.SelfSignedPem;
import dev.hark.workflow.Dag;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Client commands in process: a bad --server is bad usage; list follows pages. */
class ClientUsageTest {

    @Test
    void aServerThatIsNotAnHttpUrlIsOneLineAndExit2() {
        for (String server : new String[] {"notaurl", "ftp://host", "http:/path"}) {
            StringWriter err = new StringWriter();
            int code = HarkCommand.execute(
                    new PrintWriter(new StringWriter()), new PrintWriter(err, true), "list", "--server=" + server);
            assertEquals(ExitCodes.USAGE, code, err.toString());
            assertEquals(1, err.toString().strip().lines().count(), err.toString());
            assertTrue(err.toString().contains("--server"), err.toString());
        }
        StringWriter err = new StringWriter();
        assertEquals(
                ExitCodes.UNREACHABLE,
                HarkCommand.execute(
                        new PrintWriter(new StringWriter()),
                        new PrintWriter(err, true),
                        "list",
                        "--server=http://127.0.0.1:1"));
    }

    @Test
    void listFollowsPagesAndTakesALimit(@TempDir Path dataDir) throws Exception {
        try (Hark hark = Hark.builder()
                .dataDir(dataDir)
                .http(HttpSettings.defaults().withPort(0))
                .adminApi(true)
                .open()) {
            for (int i = 0; i < 3; i++) {
                hark.start(Dag.waitForEvent(HttpListener.class, "k"), "l-" + i)
                        .started()
                        .get(30, TimeUnit.SECONDS);
            }
            String server = "--server=http://127.0.0.1:"
                    + hark.httpAddress().orElseThrow().getPort();
            StringWriter out = new StringWriter();
            assertEquals(
                    ExitCodes.OK,
                    HarkCommand.execute(
                            new PrintWriter(out, true), new PrintWriter(new StringWriter()), "list", server));
            assertTrue(out.toString().contains("l-0") && out.toString().contains("l-2"), out.toString());

            out = new StringWriter();
            assertEquals(
                    ExitCodes.OK,
                    HarkCommand.execute(
                            new PrintWriter(out, true),
                            new PrintWriter(new StringWriter()),
                            "list",
                            server,
                            "--limit",
                            "2"));
            assertTrue(out.toString().contains("l-1") && !out.toString().contains("l-2"), out.toString());

            // Pages of one: every workflow, once each, in id order.
            out = new StringWriter();
            assertEquals(
                    ExitCodes.OK,
                    HarkCommand.execute(
                            new PrintWriter(out, true),
                            new PrintWriter(new StringWriter()),
                            "list",
                            server,
                            "--page-size",
                            "1"));
            String listed = out.toString();
            assertTrue(
                    listed.indexOf("l-0") < listed.indexOf("l-1")
                            && listed.indexOf("l-1") < listed.indexOf("l-2")
                            && listed.indexOf("l-0") >= 0
                            && listed.lastIndexOf("l-2") == listed.indexOf("l-2"),
                    listed);

            out = new StringWriter();
            assertEquals(
                    ExitCodes.OK,
                    HarkCommand.execute(
                            new PrintWriter(out, true),
                            new PrintWriter(new StringWriter()),
                            "list",
                            server,
                            "--page-size",
                            "1",
                            "--limit",
                            "2"));
            assertTrue(out.toString().contains("l-1") && !out.toString().contains("l-2"), out.toString());
        }
    }

    @Test
    void overHttpsTheClientTrustsTheGivenCertificateAndSendsItsToken(@TempDir Path dir) throws Exception {
        SelfSignedPem pem = SelfSignedPem.create(Files.createDirectories(dir.resolve("tls")));
        HttpSettings https = HttpSettings.defaults()
                .withPort(0)
                .withCredentials(Credentials.parse("admin admin-token-0123456789", "test"))
                .withTls(new TlsSettings(pem.certificate(), pem.privateKey()));
        try (Hark hark = Hark.builder()
                .dataDir(dir.resolve("data"))
                .http(https)
                .adminApi(true)
                .open()) {
            hark.start(Dag.waitForEvent(HttpListener.class, "k"), "tls-1")
                    .started()
                    .get(30, TimeUnit.SECONDS);
            String server = "--server=https://127.0.0.1:"
                    + hark.httpAddress().orElseThrow().getPort();
            Map<String, String> token = Map.of("HARK_TOKEN", "admin-token-0123456789");

            StringWriter out = new StringWriter();
            assertEquals(
                    ExitCodes.OK,
                    HarkCommand.execute(
                            new PrintWriter(out, true),
                            new PrintWriter(new StringWriter()),
                            token,
                            "status",
                            "tls-1",
                            server,
                            "--cacert",
                            pem.certificate().toString()));
            assertEquals(
                    List.of("RUNNING", "waiting for HttpListener \"k\" (task HttpListener)"),
                    out.toString().lines().toList());

            StringWriter err = new StringWriter();
            assertEquals(
                    ExitCodes.UNREACHABLE,
                    HarkCommand.execute(
                            new PrintWriter(new StringWriter()),
                            new PrintWriter(err, true),
                            token,
                            "status",
                            "tls-1",
                            server),
                    "the system's authorities do not" + " know a self-signed certificate: " + err);

            err = new StringWriter();
            assertEquals(
                    ExitCodes.USAGE,
                    HarkCommand.execute(
                            new PrintWriter(new StringWriter()),
                            new PrintWriter(err, true),
                            token,
                            "status",
                            "tls-1",
                            server,
                            "--cacert",
                            pem.privateKey().toString()));
            assertTrue(err.toString().contains("--cacert"), err.toString());
        }
    }
}
