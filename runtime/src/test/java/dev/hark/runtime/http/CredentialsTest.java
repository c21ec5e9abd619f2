package dev.hark.runtime.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The credentials format: what is accepted, and that every mistake is named without echoing a secret. */
class CredentialsTest {

    private static final String ADMIN = "admin-token-0123456789";
    private static final String ORDERS = "orders-token-0123456789";
    private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    @Test
    void linesWithCommentsScopesAndPrefixesAreRead() {
        Credentials credentials = Credentials.parse("""
                # the operator's
                admin   %s   # everything

                events:orders-,refunds- %s
                webhook:orders- %s
                """.formatted(ADMIN, ORDERS, SECRET), "tokens.txt");
        assertEquals(1, credentials.tokens(Credentials.Scope.ADMIN));
        assertEquals(1, credentials.tokens(Credentials.Scope.EVENTS));
        assertEquals(1, credentials.webhookSecrets());

        Credentials.Token orders = credentials.match(ORDERS);
        assertNotNull(orders);
        assertEquals(List.of("orders-", "refunds-"), orders.prefixes());
        assertTrue(orders.allowsEventsFor("orders-1"));
        assertTrue(orders.allowsEventsFor("refunds-9"));
        assertFalse(orders.allowsEventsFor("invoices-1"));
        assertTrue(credentials.match(ADMIN).allowsEventsFor("invoices-1"), "an admin token sends events anywhere");
        assertEquals(24, credentials.webhookSecretList().get(0).key().length);
    }

    @Test
    void onlyTheWholeTokenMatches() {
        Credentials credentials = Credentials.parse("admin " + ADMIN, "HARK_TOKENS");
        assertNull(credentials.match(ADMIN.substring(0, ADMIN.length() - 1)));
        assertNull(credentials.match(ADMIN + "0"));
        assertNull(credentials.match(ADMIN.toUpperCase()));
        assertNotNull(credentials.match(ADMIN));
    }

    @Test
    void entriesMaySitOnOneLineSeparatedBySemicolonsAsInAnEnvironmentVariable() {
        Credentials credentials = Credentials.parse("admin " + ADMIN + "; events " + ORDERS, "HARK_TOKENS");
        assertEquals(1, credentials.tokens(Credentials.Scope.ADMIN));
        assertEquals(1, credentials.tokens(Credentials.Scope.EVENTS));
        assertTrue(Credentials.parse("\n # nothing\n", "HARK_TOKENS").isEmpty());
        assertTrue(Credentials.none().isEmpty());
        assertFalse(credentials.and(Credentials.none()).isEmpty());
    }

    @Test
    void mistakesAreNamedWithTheirEntryAndNeverEchoTheSecret() {
        assertRefused("admin short", "16 to 512 characters");
        assertRefused("events " + ADMIN + " extra", "KIND VALUE");
        assertRefused("root " + ADMIN, "unknown kind 'root'");
        assertRefused("admin:orders- " + ADMIN, "cannot be limited");
        assertRefused("events:orders/ " + ORDERS, "path separator");
        assertRefused("events: " + ORDERS, "workflow id prefix is empty");
        assertRefused("events " + ORDERS + "\"quoted\"", "letters, digits");
        assertRefused("events " + SECRET, "webhook secret");
        assertRefused("webhook " + ADMIN, "starts with 'whsec_'");
        assertRefused("webhook whsec_not*base64", "not valid base64");
        assertRefused("webhook whsec_c2hvcnQ=", "24 to 64 bytes");
        assertRefused("admin " + ADMIN + "\nevents " + ADMIN, "the same token is given twice");

        IllegalArgumentException where = assertThrows(
                IllegalArgumentException.class,
                () -> Credentials.parse("admin " + ADMIN + "\n\nroot " + ORDERS, "tokens.txt"));
        assertTrue(where.getMessage().startsWith("tokens.txt entry 3:"), where.getMessage());
        assertFalse(where.getMessage().contains(ORDERS), "a token never appears in an error: " + where.getMessage());
    }

    @Test
    void aFileThatIsMissingOrEmptyIsRefusedByName(@TempDir Path dir) throws Exception {
        IllegalArgumentException missing =
                assertThrows(IllegalArgumentException.class, () -> Credentials.read(dir.resolve("absent.txt")));
        assertTrue(
                missing.getMessage().contains("absent.txt")
                        && missing.getMessage().contains("does not exist"),
                missing.getMessage());
        Path empty = Files.writeString(dir.resolve("empty.txt"), "# nothing yet\n");
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> Credentials.read(empty));
        assertTrue(none.getMessage().contains("holds no credential"), none.getMessage());
        Path good = Files.writeString(dir.resolve("tokens.txt"), "admin " + ADMIN + "\n");
        assertNotNull(Credentials.read(good).match(ADMIN));
    }

    @Test
    void newTokensAndSecretsAreAcceptedAndDiffer() {
        String token = Credentials.newToken();
        String secret = Credentials.newWebhookSecret();
        Credentials credentials = Credentials.parse("events " + token + "\nwebhook " + secret, "generated");
        assertNotNull(credentials.match(token));
        assertEquals(32, credentials.webhookSecretList().get(0).key().length);
        assertNotEquals(token, Credentials.newToken());
    }

    private static void assertRefused(String text, String expected) {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Credentials.parse(text, "t"), text);
        assertTrue(e.getMessage().contains(expected), "expected '" + expected + "' in: " + e.getMessage());
        for (String word : text.split("\\s+")) {
            if (word.length() >= 16) {
                assertFalse(e.getMessage().contains(word), "the secret is echoed: " + e.getMessage());
            }
        }
    }
}
