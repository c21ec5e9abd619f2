package dev.hark.runtime.http;

import dev.hark.workflow.internal.Json;
import java.util.Collections;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

/**
 * The fields of an event body ({@code {"event_key": ..., "event_payload": ..., "event_id": ...,
 * "start_input": ...}}) that {@link EventHandler} reads, each value as plain data exactly as the
 * whole body parsed into a map would hold it.
 *
 * <p>{@link #read} streams the body once and keeps only these four values: the body's own map, its
 * entries and the parse state behind them are not built for every event. It gives up (null) on
 * anything but one well-formed JSON object with each of these fields at most once; the caller then
 * parses the whole body as before, so a bad body gets the same answer as it always did.
 *
 * @param eventKey the {@code event_key} value, or null when absent or JSON null
 * @param hasPayload whether the body has an {@code event_payload} field (null counts)
 */
record EventFields(Object eventKey, boolean hasPayload, Object payload, Object eventId, Object startInput) {

    private static final String EVENT_KEY = "event_key";
    private static final String EVENT_PAYLOAD = "event_payload";
    private static final String EVENT_ID = "event_id";
    private static final String START_INPUT = "start_input";

    /** @return the fields of a body that was parsed whole */
    static EventFields of(Map<?, ?> json) {
        return new EventFields(
                json.get(EVENT_KEY),
                json.containsKey(EVENT_PAYLOAD),
                json.get(EVENT_PAYLOAD),
                json.get(EVENT_ID),
                json.get(START_INPUT));
    }

    /**
     * @return the fields, or null when the body is not exactly one well-formed JSON object or names
     *     one of the four fields twice (the whole parse decides those)
     */
    static EventFields read(byte[] body) {
        Object key = null;
        Object payload = null;
        Object id = null;
        Object start = null;
        int seen = 0; // one bit per field: a repeated one goes to the whole parse
        try (JsonParser parser = Json.INTAKE.createParser(body)) { // nesting capped as in the whole parse
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            for (String name = parser.nextName(); name != null; name = parser.nextName()) {
                JsonToken token = parser.nextToken();
                int bit;
                switch (name) {
                    case EVENT_KEY -> {
                        bit = 1;
                        key = token == JsonToken.VALUE_STRING ? parser.getString() : value(parser);
                    }
                    case EVENT_PAYLOAD -> {
                        bit = 2;
                        payload = value(parser);
                    }
                    case EVENT_ID -> {
                        bit = 4;
                        id = token == JsonToken.VALUE_STRING ? parser.getString() : value(parser);
                    }
                    case START_INPUT -> {
                        bit = 8;
                        start = value(parser);
                    }
                    default -> {
                        bit = 0;
                        parser.skipChildren(); // still tokenized: malformed JSON in it fails here too
                    }
                }
                if ((seen & bit) != 0) {
                    return null;
                }
                seen |= bit;
            }
            if (parser.currentToken() != JsonToken.END_OBJECT || parser.nextToken() != null) {
                return null; // something after the object: the whole parse names it
            }
        } catch (JacksonException e) {
            return null;
        }
        return new EventFields(key, (seen & 2) != 0, payload, id, start);
    }

    /**
     * Reads the value at the parser as {@code readValue(body, Object.class)} does inside the whole
     * body: the same deserializer, through the one context the parser was created with (the rest
     * of the body follows it, so no check for trailing tokens).
     */
    private static Object value(JsonParser parser) {
        return parser.readValueAs(Object.class);
    }

    /** @return what {@link StartOnEvent#parse} reads from the body: its {@code start_input}, if any */
    Map<?, ?> startFields() {
        return startInput == null ? Map.of() : Collections.singletonMap(START_INPUT, startInput);
    }
}
