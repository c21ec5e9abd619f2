package dev.hark.runtime.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Standard Webhooks verification against the specification's published vector, and its clock window. */
class AuthenticatorTest {

    // The test vector of the Standard Webhooks specification and its reference libraries.
    private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private static final String ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    private static final long TIMESTAMP = 1614265330;
    private static final String BODY = "{\"test\": 2432232314}";
    private static final String SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    private static Authenticator at(long epochSecond, String credentials) {
        return new Authenticator(
                Credentials.parse(credentials, "test"),
                Clock.fixed(Instant.ofEpochSecond(epochSecond), ZoneOffset.UTC));
    }

    @Test
    void theSpecificationsVectorIsAcceptedAndItsIdBecomesTheIdempotencyKey() {
        Authenticator.Decision decision =
                at(TIMESTAMP, "webhook " + SECRET).event(call(SIGNATURE, TIMESTAMP, BODY), "orders-1");
        assertEquals(new Authenticator.Allowed(ID), decision);
        assertEquals(
                new Authenticator.Allowed(ID),
                at(TIMESTAMP, "webhook " + SECRET)
                        .event(call("v1a,ignored v1,AAAA " + SIGNATURE, TIMESTAMP, BODY), "orders-1"),
                "one of several signatures");
    }

    @Test
    void aChangedByteIdOrTimestampBreaksTheSignature() {
        Authenticator authenticator = at(TIMESTAMP, "webhook " + SECRET);
        assertRefused(
                authenticator.event(call(SIGNATURE, TIMESTAMP, "{\"test\": 2432232315}"), "w"),
                401,
                "invalid_signature");
        assertRefused(authenticator.event(call(SIGNATURE, TIMESTAMP + 1, BODY), "w"), 401, "invalid_signature");
        assertRefused(
                authenticator.event(
                        new FakeCall(
                                Map.of(
                                        "webhook-id",
                                        ID + "x",
                                        "webhook-timestamp",
                                        "" + TIMESTAMP,
                                        "webhook-signature",
                                        SIGNATURE),
                                BODY),
                        "w"),
                401,
                "invalid_signature");
        assertRefused(
                authenticator.event(call(SIGNATURE.replace("v1,", "v2,"), TIMESTAMP, BODY), "w"),
                401,
                "invalid_signature");
    }

    @Test
    void theTimestampMustBeWithinFiveMinutesOfTheServersClockEitherWay() {
        String secret = "webhook " + SECRET;
        assertInstanceOf(
                Authenticator.Allowed.class, at(TIMESTAMP + 300, secret).event(call(SIGNATURE, TIMESTAMP, BODY), "w"));
        assertInstanceOf(
                Authenticator.Allowed.class, at(TIMESTAMP - 300, secret).event(call(SIGNATURE, TIMESTAMP, BODY), "w"));
        assertRefused(
                at(TIMESTAMP + 301, secret).event(call(SIGNATURE, TIMESTAMP, BODY), "w"),
                401,
                "webhook_timestamp_out_of_window");
        assertRefused(
                at(TIMESTAMP - 301, secret).event(call(SIGNATURE, TIMESTAMP, BODY), "w"),
                401,
                "webhook_timestamp_out_of_window");
    }

    @Test
    void aSecretLimitedToOtherWorkflowsIsRefusedWith403() {
        assertRefused(
                at(TIMESTAMP, "webhook:refunds- " + SECRET).event(call(SIGNATURE, TIMESTAMP, BODY), "orders-1"),
                403,
                "insufficient_scope");
        assertInstanceOf(
                Authenticator.Allowed.class,
                at(TIMESTAMP, "webhook:refunds- " + SECRET).event(call(SIGNATURE, TIMESTAMP, BODY), "refunds-1"));
    }

    private static void assertRefused(Authenticator.Decision decision, int status, String code) {
        Authenticator.Refused refused = assertInstanceOf(Authenticator.Refused.class, decision);
        assertEquals(status, refused.status(), refused.message());
        assertEquals(code, refused.code(), refused.message());
    }

    private static FakeCall call(String signature, long timestamp, String body) {
        return new FakeCall(
                Map.of("webhook-id", ID, "webhook-timestamp", Long.toString(timestamp), "webhook-signature", signature),
                body);
    }

    /** Only what the authenticator reads: headers and body. */
    private record FakeCall(Map<String, String> headers, String text) implements HttpCall {
        @Override
        public String method() {
            return "POST";
        }

        @Override
        public String path() {
            return "/event/send_event/w";
        }

        @Override
        public String rawQuery() {
            return null;
        }

        @Override
        public String header(String name) {
            return headers.get(name);
        }

        @Override
        public byte[] body() {
            return text.getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public void reply(int status, Map<String, String> headers, byte[] json) {
            throw new AssertionError("the authenticator decides; it never answers");
        }

        @Override
        public boolean replied() {
            return false;
        }
    }
}
