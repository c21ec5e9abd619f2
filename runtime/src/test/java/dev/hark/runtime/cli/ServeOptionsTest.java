package dev.hark.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hark.runtime.http.HttpSettings;
import dev.hark.runtime.storage.ClaimRetention;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
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
        HttpSettings http = parse("--host", "10.0.0.5", "--allowed-host", "hooks.example.com", "--allowed-host",
                "Hark.Internal").httpSettings();
        assertEquals(java.util.List.of("localhost", "127.0.0.1", "[::1]", "hooks.example.com", "hark.internal",
                "10.0.0.5"), http.effectiveAllowedHosts());
        assertEquals(HttpSettings.DEFAULT_ALLOWED_HOSTS, parse().httpSettings().allowedHosts());
    }

    @Test
    void anAllowedHostWithAPortIsBadUsage(@TempDir Path dir) {
        StringWriter err = new StringWriter();
        int code = HarkCommand.execute(new PrintWriter(new StringWriter()), new PrintWriter(err, true), "serve",
                "--data", dir.resolve("data").toString(), "--plugins", dir.resolve("none").toString(), "--port", "0",
                "--allowed-host", "example.com:8000");
        assertEquals(ExitCodes.USAGE, code, err.toString());
        assertTrue(err.toString().contains("example.com:8000"), err.toString());
    }

    @Test
    void claimRetentionTakesUnitsIsoDurationsAndForever() {
        assertEquals(ClaimRetention.keep(Duration.ofDays(30)), parse().claimRetention);
        assertEquals(ClaimRetention.keep(Duration.ofHours(12)), parse("--claim-retention", "12h").claimRetention);
        assertEquals(ClaimRetention.keep(Duration.ofDays(2)), parse("--claim-retention", "P2D").claimRetention);
        assertEquals(ClaimRetention.forever(), parse("--claim-retention", "forever").claimRetention);
        StringWriter err = new StringWriter();
        assertEquals(ExitCodes.USAGE, HarkCommand.execute(new PrintWriter(new StringWriter()), new PrintWriter(err, true),
                "serve", "--claim-retention", "0s"));
        assertTrue(err.toString().contains("claim retention"), err.toString());
    }
}
