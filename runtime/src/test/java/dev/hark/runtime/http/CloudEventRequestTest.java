package dev.hark.runtime.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The parts of the CloudEvents mapping a socket does not add to: mode detection and header decoding. */
class CloudEventRequestTest {

    @Test
    void theMediaTypeThenTheCeHeadersTellTheModes() {
        assertEquals(CloudEventRequest.Mode.STRUCTURED, mode("Application/CloudEvents+JSON; charset=utf-8", Map.of()));
        assertEquals(CloudEventRequest.Mode.UNSUPPORTED, mode("application/cloudevents-batch+json", Map.of()));
        assertEquals(CloudEventRequest.Mode.UNSUPPORTED, mode("application/cloudevents+avro", Map.of()));
        assertEquals(CloudEventRequest.Mode.BINARY, mode("application/json", Map.of("ce-specversion", "1.0")));
        assertEquals(
                CloudEventRequest.Mode.BINARY, mode("text/plain", Map.of("ce-id", "x")), "a forgotten specversion");
        assertEquals(CloudEventRequest.Mode.BINARY, mode(null, Map.of("ce-type", "t")));
        assertEquals(CloudEventRequest.Mode.NONE, mode("application/json", Map.of("ce-time", "2026-01-01T00:00:00Z")));
        assertEquals(CloudEventRequest.Mode.NONE, mode("application/json", Map.of()));
    }

    @Test
    void binaryModeTakesJsonOrUtf8TextOrNothing() {
        byte[] data = "x".getBytes(StandardCharsets.UTF_8);
        CloudEventRequest.Mode binary = CloudEventRequest.Mode.BINARY;
        assertNull(CloudEventRequest.unsupportedMedia(binary, "application/json", data));
        assertNull(CloudEventRequest.unsupportedMedia(binary, "application/vnd.order+json", data));
        assertNull(CloudEventRequest.unsupportedMedia(binary, "text/plain", data));
        assertNull(CloudEventRequest.unsupportedMedia(binary, "text/plain; charset=\"UTF-8\"", data));
        assertNull(CloudEventRequest.unsupportedMedia(binary, null, new byte[0]));
        assertEquals(415, CloudEventRequest.unsupportedMedia(binary, null, data).status());
        assertEquals(
                415,
                CloudEventRequest.unsupportedMedia(binary, "text/plain; charset=utf-16", data)
                        .status());
        assertEquals(
                415,
                CloudEventRequest.unsupportedMedia(binary, "application/octet-stream", data)
                        .status());
        assertNull(CloudEventRequest.unsupportedMedia(CloudEventRequest.Mode.NONE, "text/plain", data));
    }

    @Test
    void headerValuesArePercentDecodedAsUtf8() {
        assertEquals("plain", CloudEventRequest.percentDecoded("plain"));
        assertEquals("a b\"%c", CloudEventRequest.percentDecoded("a%20b%22%25c"));
        assertEquals("café €", CloudEventRequest.percentDecoded("caf%C3%A9%20%E2%82%AC"));
        assertNull(CloudEventRequest.percentDecoded("50%"), "a cut escape");
        assertNull(CloudEventRequest.percentDecoded("%4"), "a cut escape");
        assertNull(CloudEventRequest.percentDecoded("%zz"), "not hex");
        assertNull(CloudEventRequest.percentDecoded("%C3"), "half a UTF-8 sequence");
    }

    private static CloudEventRequest.Mode mode(String contentType, Map<String, String> headers) {
        return CloudEventRequest.mode(new Headers(headers), contentType);
    }

    /** Only headers: what mode detection reads. */
    private record Headers(Map<String, String> values) implements HttpCall {
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
            return values.get(name);
        }

        @Override
        public byte[] body() {
            return new byte[0];
        }

        @Override
        public void reply(int status, Map<String, String> headers, byte[] json) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean replied() {
            return false;
        }
    }
}
