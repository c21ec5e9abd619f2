package dev.hark.runtime.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hark.workflow.internal.Json;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The streamed fields of an event body are exactly what the whole body parsed into a map holds. */
class EventFieldsTest {

    private static byte[] bytes(String json) {
        return json.getBytes(StandardCharsets.UTF_8);
    }

    private static EventFields whole(String json) {
        return EventFields.of((Map<?, ?>) Json.INTAKE.readValue(bytes(json), Object.class));
    }

    @Test
    void wellFormedObjectsGiveTheSameFieldsAsTheWholeParse() {
        List<String> bodies = List.of(
                "{\"event_key\":\"key-1\",\"event_payload\":{\"n\":1}}",
                " {\"event_payload\": [1, 2.5, \"x\", null, true, {\"a\": {\"b\": []}}], \"event_key\": \"k\"} \n",
                "{\"event_key\":\"k\",\"event_payload\":null}",
                "{\"event_key\":\"k\"}",
                "{\"event_payload\":1}",
                "{}",
                "{\"event_key\":7,\"event_payload\":\"p\",\"event_id\":false}",
                "{\"event_key\":{\"not\":\"a string\"},\"event_payload\":12345678901234567890}",
                "{\"event_key\":null,\"event_payload\":1}",
                "{\"event_key\":\"k\",\"event_payload\":1,\"event_id\":\"pay-1\",\"start_input\":{\"amount\":3}}",
                "{\"event_key\":\"k\",\"event_payload\":1,\"start_input\":[1]}",
                "{\"other\":{\"deep\":[1,{\"x\":\"y\"}]},\"event_key\":\"k\",\"more\":\"text\",\"event_payload\":-0.5e3}",
                "{\"event_key\":\"\\u00e9 \\\" \\\\ ✓\",\"event_payload\":\"\\n\"}");
        for (String body : bodies) {
            EventFields streamed = EventFields.read(bytes(body));
            assertNotNull(streamed, body);
            assertEquals(whole(body), streamed, body);
        }
    }

    @Test
    void theCommonBodyIsReadByTheStreamNotLeftToTheWholeParse() {
        EventFields fields = EventFields.read(bytes("{\"event_key\":\"key-9\",\"event_payload\":{\"n\":9}}"));
        assertNotNull(fields);
        assertEquals("key-9", fields.eventKey());
        assertTrue(fields.hasPayload());
        assertEquals(Map.of("n", 9), fields.payload());
        assertNull(fields.eventId());
        assertEquals(Map.of(), fields.startFields());
    }

    @Test
    void aMissingPayloadIsToldApartFromANullOne() {
        assertFalse(EventFields.read(bytes("{\"event_key\":\"k\"}")).hasPayload());
        assertTrue(EventFields.read(bytes("{\"event_key\":\"k\",\"event_payload\":null}"))
                .hasPayload());
    }

    @Test
    void startInputIsHandedOnUnderItsName() {
        EventFields fields =
                EventFields.read(bytes("{\"event_key\":\"k\",\"event_payload\":1,\"start_input\":{\"a\":1}}"));
        assertEquals(Map.of("start_input", Map.of("a", 1)), fields.startFields());
    }

    @Test
    void anythingButOneWellFormedObjectWithEachFieldOnceIsLeftToTheWholeParse() {
        List<String> bodies = List.of(
                "",
                "   ",
                "[1,2]",
                "\"text\"",
                "7",
                "null",
                "{\"event_key\":\"k\"",
                "{\"event_key\":\"k\",}",
                "{\"event_key\":\"k\",\"event_payload\":{\"n\":}}",
                "{\"event_key\":\"k\",\"other\":[1,2}",
                "{\"event_key\":\"k\",\"event_payload\":1} {}",
                "{\"event_key\":\"k\",\"event_payload\":1} x",
                "{\"event_key\":\"a\",\"event_key\":\"b\",\"event_payload\":1}",
                "{\"event_key\":\"k\",\"event_payload\":1,\"event_payload\":2}",
                "{\"event_key\":\"k\",\"event_payload\":" + "[".repeat(Json.MAX_INTAKE_DEPTH + 1)
                        + "]".repeat(Json.MAX_INTAKE_DEPTH + 1) + "}",
                "{\"event_key\":\"k\",\"other\":" + "[".repeat(Json.MAX_INTAKE_DEPTH + 1)
                        + "]".repeat(Json.MAX_INTAKE_DEPTH + 1) + "}");
        for (String body : bodies) {
            assertNull(EventFields.read(bytes(body)), body);
        }
    }
}
