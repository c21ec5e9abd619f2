package dev.hark.runtime.http;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides whether a request may be served, from its {@code Authorization: Bearer} token or its
 * Standard Webhooks signature, against the server's {@link Credentials}. Without credentials every
 * request is allowed.
 *
 * <p>Refusals follow RFC 6750: 401 with {@code WWW-Authenticate: Bearer realm="hark"} when no valid
 * credential came (and {@code error="invalid_token"} when a token did but matched none), 403
 * {@code insufficient_scope} when a valid one does not cover the request.
 */
final class Authenticator {

    /** How far a webhook's timestamp may be from the server's clock, either way (Standard Webhooks' default). */
    static final Duration WEBHOOK_TOLERANCE = Duration.ofMinutes(5);

    static final String WEBHOOK_ID = "webhook-id";
    static final String WEBHOOK_TIMESTAMP = "webhook-timestamp";
    static final String WEBHOOK_SIGNATURE = "webhook-signature";

    private static final Logger LOG = LoggerFactory.getLogger(Authenticator.class);
    private static final String CHALLENGE = "Bearer realm=\"hark\"";

    /** What to do with a request. */
    sealed interface Decision permits Allowed, Refused {}

    /**
     * Serve it.
     *
     * @param webhookId the verified {@code webhook-id} of a signed webhook (the event's idempotency
     *     key), else null
     */
    record Allowed(String webhookId) implements Decision {}

    /** Answer it with this refusal and nothing else. */
    record Refused(int status, String code, String message, Map<String, String> headers) implements Decision {}

    private static final Allowed ALLOWED = new Allowed(null);

    private final Credentials credentials;
    private final Clock clock;
    private final RateLimitedLog refusals = new RateLimitedLog(LOG, 10, TimeUnit.SECONDS);

    Authenticator(Credentials credentials, Clock clock) {
        this.credentials = credentials;
        this.clock = clock;
    }

    /** A request to the admin API: needs an admin token. */
    Decision admin(HttpCall call) {
        if (credentials.isEmpty()) {
            return ALLOWED;
        }
        String authorization = call.header("Authorization");
        if (authorization == null) {
            return refuse(
                    401,
                    "unauthorized",
                    "the admin API needs a token: send Authorization: Bearer <admin token>",
                    CHALLENGE);
        }
        Credentials.Token token = bearer(authorization);
        if (token == null) {
            return invalidToken();
        }
        if (token.scope() != Credentials.Scope.ADMIN) {
            return refuse(
                    403,
                    "insufficient_scope",
                    "this token may send events only; the admin API needs an admin" + " token",
                    CHALLENGE + ", error=\"insufficient_scope\", scope=\"admin\"");
        }
        return ALLOWED;
    }

    /** An event for {@code workflowId}: needs a token that covers it, or a valid webhook signature. */
    Decision event(HttpCall call, String workflowId) {
        if (credentials.isEmpty()) {
            return ALLOWED;
        }
        String authorization = call.header("Authorization");
        if (authorization != null) {
            Credentials.Token token = bearer(authorization);
            if (token == null) {
                return invalidToken();
            }
            if (!token.allowsEventsFor(workflowId)) {
                return refuse(
                        403,
                        "insufficient_scope",
                        "this token may send events only to workflows whose id starts" + " with " + token.prefixes()
                                + "; '" + workflowId + "' does not",
                        CHALLENGE + ", error=\"insufficient_scope\"");
            }
            return ALLOWED;
        }
        if (call.header(WEBHOOK_SIGNATURE) != null) {
            return webhook(call, workflowId);
        }
        return refuse(
                401,
                "unauthorized",
                "sending events needs a token (Authorization: Bearer <token>) or a Standard"
                        + " Webhooks signature (webhook-id, webhook-timestamp, webhook-signature)",
                CHALLENGE);
    }

    private Credentials.Token bearer(String authorization) {
        // RFC 7235: the scheme is case-insensitive.
        if (authorization.length() < 7 || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String token = authorization.substring(7).strip();
        return Credentials.isBearerToken(token) ? credentials.match(token) : null;
    }

    private Decision invalidToken() {
        refusals.warn("Refused an HTTP request whose token matches none of the server's credentials");
        return refuse(
                401,
                "invalid_token",
                "the token is not one of this server's (or the Authorization header is" + " not 'Bearer <token>')",
                CHALLENGE + ", error=\"invalid_token\"");
    }

    /** Standard Webhooks: HMAC-SHA256 over {@code id.timestamp.body}, base64, in a list of {@code v1,<signature>}. */
    private Decision webhook(HttpCall call, String workflowId) {
        String id = call.header(WEBHOOK_ID);
        String timestamp = call.header(WEBHOOK_TIMESTAMP);
        if (id == null || timestamp == null) {
            return refuse(
                    401,
                    "invalid_signature",
                    "a signed webhook needs all three headers: " + WEBHOOK_ID + ", " + WEBHOOK_TIMESTAMP + " and "
                            + WEBHOOK_SIGNATURE,
                    CHALLENGE);
        }
        long seconds;
        try {
            seconds = Long.parseLong(timestamp.strip());
        } catch (NumberFormatException e) {
            return refuse(
                    401,
                    "invalid_signature",
                    WEBHOOK_TIMESTAMP + " must be whole seconds since 1970 (Unix" + " time)",
                    CHALLENGE);
        }
        long skew = Math.abs(clock.instant().getEpochSecond() - seconds);
        if (skew > WEBHOOK_TOLERANCE.toSeconds()) {
            return refuse(
                    401,
                    "webhook_timestamp_out_of_window",
                    WEBHOOK_TIMESTAMP + " is " + skew + " s from the"
                            + " server's clock; at most " + WEBHOOK_TOLERANCE.toSeconds()
                            + " s is accepted (a replay, or a"
                            + " clock that is off)",
                    CHALLENGE);
        }
        byte[] signed = signedContent(id, timestamp.strip(), call.body());
        boolean outOfScope = false;
        for (Credentials.WebhookSecret secret : credentials.webhookSecretList()) {
            if (matches(call.header(WEBHOOK_SIGNATURE), sign(secret.key(), signed))) {
                if (secret.allowsEventsFor(workflowId)) {
                    return new Allowed(id);
                }
                outOfScope = true;
            }
        }
        if (outOfScope) {
            return refuse(
                    403,
                    "insufficient_scope",
                    "the webhook's secret may not send events to '" + workflowId
                            + "' (its workflow id prefixes do not cover it)",
                    CHALLENGE + ", error=\"insufficient_scope\"");
        }
        refusals.warn("Refused a webhook whose signature matches none of the server's webhook secrets");
        return refuse(
                401,
                "invalid_signature",
                "no v1 signature in " + WEBHOOK_SIGNATURE + " matches a webhook secret" + " of this server over "
                        + WEBHOOK_ID + "." + WEBHOOK_TIMESTAMP + ".body",
                CHALLENGE);
    }

    static byte[] signedContent(String id, String timestamp, byte[] body) {
        byte[] head = (id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8);
        byte[] signed = new byte[head.length + body.length];
        System.arraycopy(head, 0, signed, 0, head.length);
        System.arraycopy(body, 0, signed, head.length, body.length);
        return signed;
    }

    static byte[] sign(byte[] key, byte[] content) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(content);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every Java platform has HmacSHA256", e);
        }
    }

    /** @return whether one {@code v1,<base64>} entry of the space-separated list is {@code expected} */
    private static boolean matches(String signatures, byte[] expected) {
        boolean found = false;
        for (String entry : signatures.strip().split(" +")) {
            if (!entry.startsWith("v1,")) {
                continue; // other schemes (v1a: asymmetric) are not ours to check
            }
            byte[] given;
            try {
                given = Base64.getDecoder().decode(entry.substring(3));
            } catch (IllegalArgumentException e) {
                continue;
            }
            found |= MessageDigest.isEqual(given, expected);
        }
        return found;
    }

    private static Refused refuse(int status, String code, String message, String challenge) {
        return new Refused(status, code, message, Map.of("WWW-Authenticate", challenge));
    }
}
