package dev.hark.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hark.runtime.http.Credentials;
import dev.hark.runtime.http.HttpSettings;
import dev.hark.runtime.storage.ClaimRetention;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code hark serve}'s options, parsed as the command line gives them. */
class ServeOptionsTest {

    private static ServeCommand parse(String... args) {
        ServeCommand serve = new ServeCommand();
        new CommandLine(serve).parseArgs(args);
        return serve;
    }

    @Test
    void allowedHostsAddToTheLoopbackNamesAndTheBoundHost() {
        HttpSettings http = parse(
                        "--host", "10.0.0.5", "--allowed-host", "hooks.example.com", "--allowed-host", "Hark.Internal")
                .httpSettings();
        assertEquals(
                java.util.List.of("localhost", "127.0.0.1", "[::1]", "hooks.example.com", "hark.internal", "10.0.0.5"),
                http.effectiveAllowedHosts());
        assertEquals(HttpSettings.DEFAULT_ALLOWED_HOSTS, parse().httpSettings().allowedHosts());
    }

    @Test
    void anAllowedHostWithAPortIsBadUsage(@TempDir Path dir) {
        StringWriter err = new StringWriter();
        int code = HarkCommand.execute(
                new PrintWriter(new StringWriter()),
                new PrintWriter(err, true),
                "serve",
                "--data",
                dir.resolve("data").toString(),
                "--plugins",
                dir.resolve("none").toString(),
                "--port",
                "0",
                "--allowed-host",
                "example.com:8000");
        assertEquals(ExitCodes.USAGE, code, err.toString());
        assertTrue(err.toString().contains("example.com:8000"), err.toString());
    }

    @Test
    void theStoreIsSqliteByDefaultAndPostgresWithAJdbcUrlWhoseCredentialsComeFromTheEnvironment() {
        assertNull(parse().postgresSettings(), "SQLite in the data folder");
        ServeCommand serve = parse("--store", "jdbc:postgresql://db.internal:5432/hark");
        serve.environment = Map.of("HARK_PG_USER", "hark", "HARK_PG_PASSWORD", "s3cret")::get;
        assertEquals(
                new dev.hark.runtime.storage.postgres.PostgresSettings(
                        "jdbc:postgresql://db.internal:5432/hark", "hark", "s3cret"),
                serve.postgresSettings());
    }

    @Test
    void aStoreThatIsNoPostgresUrlOrCarriesAPasswordIsBadUsageWithoutEchoingIt(@TempDir Path dir) {
        for (String store : List.of("sqlite:hark.db", "jdbc:postgresql://db/hark?password=s3cret")) {
            StringWriter err = new StringWriter();
            int code = HarkCommand.execute(
                    new PrintWriter(new StringWriter()),
                    new PrintWriter(err, true),
                    "serve",
                    "--data",
                    dir.resolve("data").toString(),
                    "--plugins",
                    dir.resolve("none").toString(),
                    "--port",
                    "0",
                    "--store",
                    store);
            assertEquals(ExitCodes.USAGE, code, err.toString());
            assertTrue(
                    err.toString().contains("jdbc:postgresql://HOST")
                            || err.toString().contains("HARK_PG_PASSWORD"),
                    err.toString());
            assertFalse(err.toString().contains("s3cret"), err.toString());
        }
    }

    @Test
    void claimRetentionTakesUnitsIsoDurationsAndForever() {
        assertEquals(ClaimRetention.keep(Duration.ofDays(30)), parse().claimRetention);
        assertEquals(ClaimRetention.keep(Duration.ofHours(12)), parse("--claim-retention", "12h").claimRetention);
        assertEquals(ClaimRetention.keep(Duration.ofDays(2)), parse("--claim-retention", "P2D").claimRetention);
        assertEquals(ClaimRetention.forever(), parse("--claim-retention", "forever").claimRetention);
        StringWriter err = new StringWriter();
        assertEquals(
                ExitCodes.USAGE,
                HarkCommand.execute(
                        new PrintWriter(new StringWriter()),
                        new PrintWriter(err, true),
                        "serve",
                        "--claim-retention",
                        "0s"));
        assertTrue(err.toString().contains("claim retention"), err.toString());
    }

    @Test
    void earlyEventsAreOffByDefaultAndTakeATtlStartOnEventTakesDefinitions() {
        assertNull(parse().earlyEventTtl);
        assertEquals(List.of(), parse().startOnEvent);
        assertEquals(Duration.ofMinutes(10), parse("--buffer-early-events", "10m").earlyEventTtl);
        assertEquals(Duration.ofHours(2), parse("--buffer-early-events", "PT2H").earlyEventTtl);
        assertEquals(
                List.of("orders", "cases", "refunds"),
                parse("--start-on-event", "orders,cases", "--start-on-event", "refunds").startOnEvent);
        StringWriter err = new StringWriter();
        assertEquals(
                ExitCodes.USAGE,
                HarkCommand.execute(
                        new PrintWriter(new StringWriter()),
                        new PrintWriter(err, true),
                        "serve",
                        "--buffer-early-events",
                        "0s"));
        assertTrue(err.toString().contains("early-event TTL"), err.toString());
    }

    @Test
    void anUnknownStartOnEventDefinitionRefusesToStart(@TempDir Path dir) {
        StringWriter err = new StringWriter();
        int code = HarkCommand.execute(
                new PrintWriter(new StringWriter()),
                new PrintWriter(err, true),
                "serve",
                "--data",
                dir.resolve("data").toString(),
                "--plugins",
                dir.resolve("none").toString(),
                "--port",
                "0",
                "--start-on-event",
                "nosuch");
        assertEquals(ExitCodes.REFUSED, code, err.toString());
        assertTrue(err.toString().contains("no workflow definition is named 'nosuch'"), err.toString());
    }

    @Test
    void aNonLoopbackAddressWithoutCredentialsIsRefusedUnlessInsecure(@TempDir Path dir) {
        for (String[] exposed : List.of(
                new String[] {"--host", "0.0.0.0"}, new String[] {"--admin-port", "0", "--admin-host", "0.0.0.0"})) {
            StringWriter err = new StringWriter();
            int code = serve(dir, err, Map.of(), exposed);
            assertEquals(ExitCodes.USAGE, code, err.toString());
            assertTrue(
                    err.toString().contains("refusing to serve 0.0.0.0 without credentials")
                            && err.toString().contains("--insecure")
                            && err.toString().contains("--tokens"),
                    err.toString());
            assertFalse(Files.exists(dir.resolve("data")), "nothing was opened");
        }
        ServeCommand insecure = parse("--host", "0.0.0.0", "--insecure");
        HttpSettings http = insecure.httpSettings();
        assertNull(insecure.exposureProblem(http, null));
        ServeCommand loopback = parse("--host", "localhost");
        assertNull(loopback.exposureProblem(loopback.httpSettings(), null), "loopback needs no credentials");
    }

    @Test
    void credentialsComeFromTheFileAndTheEnvironmentTogether(@TempDir Path dir) throws Exception {
        Path tokens = Files.writeString(dir.resolve("tokens.txt"), "admin admin-token-0123456789\n");
        ServeCommand serve = parse("--host", "0.0.0.0", "--tokens", tokens.toString());
        serve.environment = Map.of("HARK_TOKENS", "events:orders- orders-token-0123456789")::get;
        HttpSettings http = serve.httpSettings();
        assertEquals(1, http.credentials().tokens(Credentials.Scope.ADMIN));
        assertEquals(1, http.credentials().tokens(Credentials.Scope.EVENTS));
        assertNull(serve.exposureProblem(http, null));
        assertEquals(
                List.of("tokens travel in clear text to 0.0.0.0:8000; serve HTTPS (--tls-cert, --tls-key) or"
                        + " behind a proxy that terminates TLS"),
                ServeCommand.cautions(http, null));

        Files.writeString(tokens, "events events-token-0123456789\n");
        ServeCommand eventsOnly = parse("--tokens", tokens.toString());
        eventsOnly.environment = Map.<String, String>of()::get;
        assertEquals(
                List.of("no admin token: the admin API refuses every request but the health probes"),
                ServeCommand.cautions(eventsOnly.httpSettings(), null));
    }

    @Test
    void optionsThatDoNotFitTogetherAreBadUsageNamingTheOption(@TempDir Path dir) throws Exception {
        assertUsage(dir, "does not exist", "--tokens", dir.resolve("absent.txt").toString());
        assertUsage(dir, "--admin-port", "--admin-host", "127.0.0.1");
        assertUsage(dir, "--tls-key", "--tls-cert", dir.resolve("cert.pem").toString());
        StringWriter err = new StringWriter();
        assertEquals(ExitCodes.USAGE, serve(dir, err, Map.of("HARK_TOKENS", "admin short"), new String[0]));
        assertTrue(err.toString().contains("HARK_TOKENS") && err.toString().contains("16 to 512"), err.toString());
    }

    @Test
    void theServersLimitsAreOptionsWithTheDocumentedDefaults(@TempDir Path dir) {
        HttpSettings defaults = parse().httpSettings();
        assertEquals(HttpSettings.defaults().withAllowedHosts(defaults.allowedHosts()), defaults);
        HttpSettings set = parse(
                        "--max-connections",
                        "500",
                        "--max-body-bytes",
                        "4096",
                        "--idle-timeout",
                        "90s",
                        "--request-timeout",
                        "2500ms",
                        "--reply-timeout",
                        "PT1M")
                .httpSettings();
        assertEquals(500, set.maxConnections());
        assertEquals(4096, set.maxBodyBytes());
        assertEquals(Duration.ofSeconds(90), set.idleTimeout());
        assertEquals(Duration.ofMillis(2500), set.requestReadTimeout());
        assertEquals(Duration.ofMinutes(1), set.replyTimeout());
        assertEquals(100_000, parse().storeQueue);

        assertUsage(dir, "is not a positive duration", "--idle-timeout", "0s");
        assertUsage(dir, "is not a positive duration", "--reply-timeout", "soon");
        assertUsage(dir, "maxConnections must be at least 1", "--max-connections", "0");
        assertUsage(dir, "--store-queue must be at least 1", "--store-queue", "0");
    }

    @Test
    void tokensNewPrintsATokenOrAWebhookSecretThatServeAccepts() {
        StringWriter token = new StringWriter();
        assertEquals(
                ExitCodes.OK,
                HarkCommand.execute(
                        new PrintWriter(token, true), new PrintWriter(new StringWriter()), "tokens", "new"));
        StringWriter secret = new StringWriter();
        assertEquals(
                ExitCodes.OK,
                HarkCommand.execute(
                        new PrintWriter(secret, true),
                        new PrintWriter(new StringWriter()),
                        "tokens",
                        "new",
                        "--webhook"));
        Credentials both = Credentials.parse(
                "admin " + token.toString().trim() + "\nwebhook "
                        + secret.toString().trim(),
                "printed");
        assertEquals(1, both.tokens(Credentials.Scope.ADMIN));
        assertEquals(1, both.webhookSecrets());
    }

    private static void assertUsage(Path dir, String expected, String... options) {
        StringWriter err = new StringWriter();
        assertEquals(ExitCodes.USAGE, serve(dir, err, Map.of(), options), err.toString());
        assertTrue(err.toString().contains(expected), "expected '" + expected + "' in: " + err);
    }

    private static int serve(Path dir, StringWriter err, Map<String, String> environment, String... options) {
        List<String> args = new ArrayList<>(List.of(
                "serve",
                "--data",
                dir.resolve("data").toString(),
                "--plugins",
                dir.resolve("none").toString(),
                "--port",
                "0"));
        args.addAll(List.of(options));
        return HarkCommand.execute(
                new PrintWriter(new StringWriter()),
                new PrintWriter(err, true),
                environment,
                args.toArray(String[]::new));
    }

    @Test
    void nodeOptionsNeedASharedStoreAndDefaultToTheHostPidAndATenSecondLease() {
        assertNull(parse().nodeSettings(), "SQLite: one node, no node settings");
        IllegalArgumentException alone = assertThrows(
                IllegalArgumentException.class, () -> parse("--node-name", "a").nodeSettings());
        assertTrue(alone.getMessage().contains("need --store"), alone.getMessage());
        assertThrows(
                IllegalArgumentException.class, () -> parse("--lease", "3s").nodeSettings());

        dev.hark.runtime.storage.postgres.NodeSettings defaults =
                parse("--store", "jdbc:postgresql://db/hark").nodeSettings();
        assertEquals(java.time.Duration.ofSeconds(10), defaults.lease());
        assertTrue(defaults.name().endsWith("-" + ProcessHandle.current().pid()), defaults.name());
        dev.hark.runtime.storage.postgres.NodeSettings given = parse(
                        "--store", "jdbc:postgresql://db/hark", "--node-name", "node-7", "--lease", "2500ms")
                .nodeSettings();
        assertEquals("node-7", given.name());
        assertEquals(java.time.Duration.ofMillis(2500), given.lease());
    }

    @Test
    void aLeaseBelowTheMinimumOrAnAdvertisedUrlThatIsNoHttpUrlIsRefusedSayingWhy() {
        IllegalArgumentException shortLease = assertThrows(
                IllegalArgumentException.class,
                () -> parse("--store", "jdbc:postgresql://db/hark", "--lease", "100ms")
                        .nodeSettings());
        assertTrue(shortLease.getMessage().contains("lease"), shortLease.getMessage());
        IllegalArgumentException badUrl = assertThrows(
                IllegalArgumentException.class,
                () -> parse("--store", "jdbc:postgresql://db/hark", "--advertise-url", "node-2:8000")
                        .nodeSettings());
        assertTrue(badUrl.getMessage().contains("--advertise-url"), badUrl.getMessage());
    }

    @Test
    void theAdvertisedHostIsAnAllowedHostSoThatForwardedRequestsAreServed() {
        HttpSettings http = parse(
                        "--store", "jdbc:postgresql://db/hark", "--advertise-url", "http://node-2.internal:8000")
                .httpSettings();
        assertTrue(
                http.effectiveAllowedHosts().contains("node-2.internal"),
                http.effectiveAllowedHosts().toString());
    }
}
