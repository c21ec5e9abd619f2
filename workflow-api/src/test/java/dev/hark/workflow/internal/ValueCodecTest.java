package dev.hark.workflow.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.SerializationContext;
import tools.jackson.databind.annotation.JsonSerialize;
import tools.jackson.databind.ser.std.StdSerializer;

/** The envelope's exact text (stored in every checkpoint, read by older and newer runtimes) and its round trip. */
class ValueCodecTest {

    private final ValueCodec codec = new ValueCodec(ValueCodecTest.class.getClassLoader());

    record Point(int x, String label) {}

    @Test
    void theEnvelopeIsTheTypeThenTheValueWithNothingBetween() {
        assertEquals(
                "{\"type\":\"dev.hark.workflow.internal.ValueCodecTest$Point\",\"value\":{\"x\":3,\"label\":\"a\\\"b é\"}}",
                codec.encode(new Point(3, "a\"b é"), null));
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("n", 1);
        map.put("list", List.of("x", 2.5));
        assertEquals(
                "{\"type\":\"java.util.LinkedHashMap<java.lang.Object,java.lang.Object>\",\"value\":{\"n\":1,\"list\":[\"x\",2.5]}}",
                codec.encode(map, null));
        assertEquals("{\"type\":\"java.lang.String\",\"value\":\"s\"}", codec.encode("s", null));
        assertEquals("{\"type\":null,\"value\":null}", codec.encode(null, null));
    }

    @Test
    void valuesComeBackAsTheyWent() {
        Point point = new Point(-7, "✓ <tag> \\ \n");
        assertEquals(point, codec.decode(codec.encode(point, null), null));
        assertEquals(List.of(1, "two"), codec.decode(codec.encode(List.of(1, "two"), null), null));
    }

    @Test
    void aLargeValueThenASmallOneAreEachWholeAndAlone() {
        String large = "x".repeat(100_000);
        assertEquals(large, codec.decode(codec.encode(large, null), null));
        assertEquals("{\"type\":\"java.lang.Integer\",\"value\":5}", codec.encode(5, null));
    }

    /** A value whose serializer encodes another value on the same thread, as a user's serializer may. */
    @JsonSerialize(using = Nested.Serializer.class)
    record Nested(String inner) {
        static final class Serializer extends StdSerializer<Nested> {
            private final ValueCodec codec = new ValueCodec(Nested.class.getClassLoader());

            Serializer() {
                super(Nested.class);
            }

            @Override
            public void serialize(Nested value, JsonGenerator generator, SerializationContext context) {
                generator.writeString(codec.encode(value.inner(), null));
            }
        }
    }

    @Test
    void anEnvelopeWrittenWhileAnotherIsBeingWrittenDoesNotMixWithIt() {
        String inner = "{\"type\":\"java.lang.String\",\"value\":\"in\"}";
        assertEquals(
                "{\"type\":\"dev.hark.workflow.internal.ValueCodecTest$Nested\",\"value\":"
                        + Json.MAPPER.writeValueAsString(inner) + "}",
                codec.encode(new Nested("in"), null));
        assertEquals("{\"type\":\"java.lang.Integer\",\"value\":6}", codec.encode(6, null));
    }

    record Opaque(Object self) {}

    @Test
    void aValueJacksonCannotWriteIsRefusedAndTheNextOneIsWhole() {
        assertThrows(ValueCodecException.class, () -> codec.encode(new Opaque(new Object()), null));
        assertEquals("{\"type\":\"java.lang.Integer\",\"value\":8}", codec.encode(8, null));
    }
}
