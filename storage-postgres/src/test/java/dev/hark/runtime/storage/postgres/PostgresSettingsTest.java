package dev.hark.runtime.storage.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Credentials come from the environment or a file, never from the URL. */
class PostgresSettingsTest {

    private static final String URL = "jdbc:postgresql://db.example:5432/hark";

    @Test
    void credentialsComeFromTheEnvironment() {
        PostgresSettings s =
                PostgresSettings.fromEnvironment(URL, Map.of("HARK_PG_USER", "app", "HARK_PG_PASSWORD", "s3cret")::get);
        assertEquals(new PostgresSettings(URL, "app", "s3cret"), s);
        assertFalse(s.toString().contains("s3cret"), s.toString());
        PostgresSettings none = PostgresSettings.fromEnvironment(URL, Map.<String, String>of()::get);
        assertNull(none.user());
        assertNull(none.password());
    }

    @Test
    void thePasswordMayComeFromAFileLessItsLineBreak(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("pw"), "from-file\n");
        PostgresSettings s =
                PostgresSettings.fromEnvironment(URL, Map.of("HARK_PG_PASSWORD_FILE", file.toString())::get);
        assertEquals("from-file", s.password());

        IllegalArgumentException both = assertThrows(
                IllegalArgumentException.class,
                () -> PostgresSettings.fromEnvironment(
                        URL, Map.of("HARK_PG_PASSWORD", "x", "HARK_PG_PASSWORD_FILE", file.toString())::get));
        assertTrue(both.getMessage().contains("set one of them"), both.getMessage());

        IllegalArgumentException missing = assertThrows(
                IllegalArgumentException.class,
                () -> PostgresSettings.fromEnvironment(
                        URL, Map.of("HARK_PG_PASSWORD_FILE", dir.resolve("nope").toString())::get));
        assertTrue(missing.getMessage().contains("cannot read the PostgreSQL password file"), missing.getMessage());
    }

    @Test
    void aPasswordInTheUrlIsRefusedWithTheWayToGiveIt() {
        for (String url : new String[] {
            URL + "?user=app&password=s3cret",
            URL + "?sslmode=require&PASSWORD=x",
            "jdbc:postgresql://app:s3cret@db/hark"
        }) {
            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class,
                    () -> PostgresSettings.fromEnvironment(url, Map.<String, String>of()::get));
            assertTrue(e.getMessage().contains("HARK_PG_PASSWORD"), e.getMessage());
            assertFalse(e.getMessage().contains("s3cret"), "the message must not repeat the secret: " + e.getMessage());
        }
        assertEquals(URL + "?sslmode=require", new PostgresSettings(URL + "?sslmode=require", null, null).jdbcUrl());
    }

    @Test
    void onlyPostgresUrlsAreAccepted() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> new PostgresSettings("jdbc:mysql://db/hark", null, null));
        assertTrue(e.getMessage().contains("jdbc:postgresql://HOST"), e.getMessage());
        assertTrue(PostgresSettings.isPostgresUrl(URL));
        assertFalse(PostgresSettings.isPostgresUrl("hark-data"));
    }
}
