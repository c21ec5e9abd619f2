package dev.hark.runtime.http;

import dev.hark.workflow.WorkflowIds;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * Who may use the HTTP server: bearer tokens with a scope, and Standard Webhooks secrets. With none
 * ({@link #none()}, the default) every request is served, which is safe only on loopback.
 *
 * <p>One credential per line, {@code KIND VALUE}; blank lines and {@code #} comments are ignored:
 *
 * <pre>
 * admin           hk_4mZ0yq…        # everything: the admin API and events for any workflow
 * events          hk_Vt8rC2…        # events for any workflow
 * events:orders-  hk_b1XwQe…        # events for workflows whose id starts with "orders-"
 * webhook         whsec_MfKQ9r8G…   # Standard Webhooks signatures instead of a token
 * webhook:orders-,refunds- whsec_…  # the same, limited to two id prefixes
 * </pre>
 *
 * Tokens are 16 to 512 characters of RFC 6750's token alphabet (letters, digits, {@code -._~+/},
 * trailing {@code =}); {@code hark tokens new} makes one. A webhook secret is {@code whsec_}
 * followed by the base64 of 24 to 64 bytes, as Standard Webhooks senders issue them. The runtime
 * keeps only a SHA-256 digest of each token, and compares a presented token with every one of
 * them in constant time.
 */
public final class Credentials {

    /** What a token allows. */
    public enum Scope {
        /** {@code POST /event/send_event/{id}}, for the workflow ids the token's prefixes allow. */
        EVENTS,
        /** Everything: the admin API and events for any workflow. */
        ADMIN
    }

    /** A bearer token, kept as its digest. */
    record Token(byte[] digest, Scope scope, List<String> prefixes) {
        boolean allowsEventsFor(String workflowId) {
            return scope == Scope.ADMIN || allows(prefixes, workflowId);
        }
    }

    /** A Standard Webhooks signing key. */
    record WebhookSecret(byte[] key, List<String> prefixes) {
        boolean allowsEventsFor(String workflowId) {
            return allows(prefixes, workflowId);
        }
    }

    static final int MIN_TOKEN_LENGTH = 16;
    static final int MAX_TOKEN_LENGTH = 512;
    static final String WEBHOOK_SECRET_PREFIX = "whsec_";
    private static final String KINDS =
            "admin, events, events:PREFIX[,PREFIX...], webhook or webhook:PREFIX[,PREFIX...]";
    private static final SecureRandom RANDOM = new SecureRandom();
    /** One digest per thread: looking the algorithm up through the providers costs more than hashing a token. */
    private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    });

    private static final Credentials NONE = new Credentials(List.of(), List.of());

    private final List<Token> tokens;
    private final List<WebhookSecret> webhookSecrets;

    private Credentials(List<Token> tokens, List<WebhookSecret> webhookSecrets) {
        this.tokens = List.copyOf(tokens);
        this.webhookSecrets = List.copyOf(webhookSecrets);
    }

    /** @return no credentials: every request is served */
    public static Credentials none() {
        return NONE;
    }

    /**
     * Reads credentials from a file in the format above.
     *
     * @throws IllegalArgumentException naming the file and line of a malformed entry, or the file
     *     itself when it cannot be read or holds no credential
     */
    public static Credentials read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("credentials file " + file + " does not exist");
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("cannot read credentials file " + file + ": " + e.getMessage());
        }
        Credentials read = parse(text, file.toString());
        if (read.isEmpty()) {
            throw new IllegalArgumentException("credentials file " + file + " holds no credential; one per line: KIND"
                    + " VALUE, KIND being " + KINDS);
        }
        return read;
    }

    /**
     * Parses credentials: one per line, or separated by {@code ;} (convenient in an environment
     * variable).
     *
     * @param source where the text came from, for error messages (a file name, {@code HARK_TOKENS})
     * @throws IllegalArgumentException naming the source and entry of the first malformed one; the
     *     message never contains a token
     */
    public static Credentials parse(String text, String source) {
        List<Token> tokens = new ArrayList<>();
        List<WebhookSecret> secrets = new ArrayList<>();
        String[] lines = text.split("\r?\n|;", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = stripComment(lines[i]).strip();
            if (line.isEmpty()) {
                continue;
            }
            String where = source + (lines.length > 1 ? " entry " + (i + 1) : "");
            String[] parts = line.split("\\s+");
            if (parts.length != 2) {
                throw new IllegalArgumentException(where + ": expected KIND VALUE (two words), found " + parts.length
                        + " word(s); KIND is " + KINDS);
            }
            String kind = parts[0];
            int colon = kind.indexOf(':');
            String name = (colon < 0 ? kind : kind.substring(0, colon)).toLowerCase(Locale.ROOT);
            List<String> prefixes = colon < 0 ? List.of() : prefixes(kind.substring(colon + 1), where);
            switch (name) {
                case "admin" -> {
                    if (colon >= 0) {
                        throw new IllegalArgumentException(where + ": an admin token cannot be limited to workflow id"
                                + " prefixes; use events:PREFIX for a limited token");
                    }
                    tokens.add(token(parts[1], Scope.ADMIN, prefixes, where));
                }
                case "events" -> tokens.add(token(parts[1], Scope.EVENTS, prefixes, where));
                case "webhook" -> secrets.add(webhookSecret(parts[1], prefixes, where));
                default ->
                    throw new IllegalArgumentException(where + ": unknown kind '" + name + "'; KIND is " + KINDS);
            }
        }
        for (int i = 0; i < tokens.size(); i++) {
            for (int j = 0; j < i; j++) {
                if (Arrays.equals(tokens.get(i).digest(), tokens.get(j).digest())) {
                    throw new IllegalArgumentException(source + ": the same token is given twice; give each token once,"
                            + " with the widest scope it should have");
                }
            }
        }
        return new Credentials(tokens, secrets);
    }

    /** @return these credentials and {@code other}'s */
    public Credentials and(Credentials other) {
        List<Token> allTokens = new ArrayList<>(tokens);
        allTokens.addAll(other.tokens);
        List<WebhookSecret> allSecrets = new ArrayList<>(webhookSecrets);
        allSecrets.addAll(other.webhookSecrets);
        return new Credentials(allTokens, allSecrets);
    }

    /** @return whether there is no credential, so that every request is served */
    public boolean isEmpty() {
        return tokens.isEmpty() && webhookSecrets.isEmpty();
    }

    /** @return how many tokens of {@code scope} there are */
    public int tokens(Scope scope) {
        return (int) tokens.stream().filter(token -> token.scope() == scope).count();
    }

    /** @return how many webhook secrets there are */
    public int webhookSecrets() {
        return webhookSecrets.size();
    }

    /** @return a new random token: 32 bytes from a {@link SecureRandom}, base64url, prefixed {@code hk_} */
    public static String newToken() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return "hk_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** @return a new random Standard Webhooks secret: {@code whsec_} and the base64 of 32 random bytes */
    public static String newWebhookSecret() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return WEBHOOK_SECRET_PREFIX + Base64.getEncoder().encodeToString(bytes);
    }

    /**
     * @return the token {@code presented} matches, or null; every token is compared, each in
     *     constant time, so the time taken does not tell how much of a guess was right
     */
    Token match(String presented) {
        byte[] digest = sha256(presented.getBytes(StandardCharsets.US_ASCII));
        Token found = null;
        for (Token token : tokens) {
            if (MessageDigest.isEqual(digest, token.digest())) {
                found = token;
            }
        }
        return found;
    }

    List<WebhookSecret> webhookSecretList() {
        return webhookSecrets;
    }

    private static Token token(String value, Scope scope, List<String> prefixes, String where) {
        if (value.length() < MIN_TOKEN_LENGTH || value.length() > MAX_TOKEN_LENGTH) {
            throw new IllegalArgumentException(where + ": a token must be " + MIN_TOKEN_LENGTH + " to "
                    + MAX_TOKEN_LENGTH + " characters long, this one is " + value.length()
                    + "; `hark tokens new` makes a good one");
        }
        if (!isBearerToken(value)) {
            throw new IllegalArgumentException(where + ": a token may hold only letters, digits and - . _ ~ + / (and"
                    + " trailing =), as an HTTP bearer token; `hark tokens new` makes a good one");
        }
        if (value.startsWith(WEBHOOK_SECRET_PREFIX)) {
            throw new IllegalArgumentException(where + ": this is a webhook secret (whsec_...); give it as"
                    + " 'webhook " + WEBHOOK_SECRET_PREFIX + "...'");
        }
        return new Token(sha256(value.getBytes(StandardCharsets.US_ASCII)), scope, prefixes);
    }

    private static WebhookSecret webhookSecret(String value, List<String> prefixes, String where) {
        if (!value.startsWith(WEBHOOK_SECRET_PREFIX)) {
            throw new IllegalArgumentException(
                    where + ": a webhook secret starts with '" + WEBHOOK_SECRET_PREFIX
                            + "' followed by base64, as Standard Webhooks senders issue it; `hark tokens new --webhook` makes one");
        }
        byte[] key;
        try {
            key = Base64.getDecoder().decode(value.substring(WEBHOOK_SECRET_PREFIX.length()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    where + ": the webhook secret after '" + WEBHOOK_SECRET_PREFIX + "' is not valid base64");
        }
        if (key.length < 24 || key.length > 64) {
            throw new IllegalArgumentException(
                    where + ": a webhook secret must decode to 24 to 64 bytes, this one is " + key.length + " bytes");
        }
        return new WebhookSecret(key, prefixes);
    }

    private static List<String> prefixes(String list, String where) {
        List<String> prefixes = new ArrayList<>();
        for (String prefix : list.split(",", -1)) {
            String problem = WorkflowIds.problem(prefix, "workflow id prefix");
            if (problem != null) {
                throw new IllegalArgumentException(
                        where + ": " + problem + "; write KIND:PREFIX[,PREFIX...] without" + " spaces");
            }
            prefixes.add(prefix);
        }
        return List.copyOf(prefixes);
    }

    private static boolean allows(List<String> prefixes, String workflowId) {
        if (prefixes.isEmpty()) {
            return true;
        }
        for (String prefix : prefixes) {
            if (workflowId.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    private static String stripComment(String line) {
        int hash = line.indexOf('#');
        return hash < 0 ? line : line.substring(0, hash);
    }

    /** RFC 6750's b64token: {@code 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="}. */
    static boolean isBearerToken(String value) {
        int end = value.length();
        while (end > 0 && value.charAt(end - 1) == '=') {
            end--;
        }
        if (end == 0) {
            return false;
        }
        for (int i = 0; i < end; i++) {
            char c = value.charAt(i);
            boolean allowed = c >= 'a' && c <= 'z'
                    || c >= 'A' && c <= 'Z'
                    || c >= '0' && c <= '9'
                    || c == '-'
                    || c == '.'
                    || c == '_'
                    || c == '~'
                    || c == '+'
                    || c == '/';
            if (!allowed) {
                return false;
            }
        }
        return true;
    }

    static byte[] sha256(byte[] bytes) {
        return SHA_256.get().digest(bytes); // digest() resets it for the thread's next request
    }

    @Override
    public String toString() {
        return "Credentials[" + tokens(Scope.ADMIN) + " admin token(s), " + tokens(Scope.EVENTS) + " events token(s), "
                + webhookSecrets.size() + " webhook secret(s)]";
    }
}
