package dev.hark.workflow.internal;

import java.io.Writer;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.type.TypeFactory;

/**
 * Encodes a value as an envelope {@code {"type": <canonical Java type>, "value": <JSON>}} and reads
 * it back.
 *
 * <p>The type written is the declared one (a method's generic return type, a listener's event type)
 * when it is concrete enough for Jackson to rebuild the value, else the value's runtime class. On
 * reading, a concrete type the reader expects (a task's parameter type) wins over the stored one.
 * Either way, downstream tasks always receive a value read back from its envelope, so a workflow
 * sees the same values whether or not it was resumed in another JVM.
 */
public final class ValueCodec {

    private final ClassLoader classLoader;
    private final TypeFactory types;
    private static final String NULL_ENVELOPE = "{\"type\":null,\"value\":null}";

    private final Map<String, JavaType> typeCache = new ConcurrentHashMap<>();
    private final Map<JavaType, String> typeJsonCache = new ConcurrentHashMap<>();
    private final Map<JavaType, ObjectReader> readers = new ConcurrentHashMap<>();

    public ValueCodec(ClassLoader classLoader) {
        this.classLoader = classLoader;
        this.types = Json.MAPPER.getTypeFactory().withClassLoader(classLoader);
    }

    /**
     * @param value the value to store; may be null
     * @param declared the type the producer declared, or null
     * @return the envelope as a JSON string
     * @throws ValueCodecException if Jackson cannot serialize the value
     */
    public String encode(Object value, Type declared) {
        if (value == null) {
            return NULL_ENVELOPE;
        }
        JavaType type = isConcrete(declared) ? javaType(declared) : types.constructType(value.getClass());
        try {
            String typeJson = typeJsonCache.computeIfAbsent(type, t -> Json.MAPPER.writeValueAsString(t.toCanonical()));
            return envelope(typeJson, value);
        } catch (JacksonException e) {
            throw new ValueCodecException(
                    "cannot serialize a " + value.getClass().getName() + " as JSON: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * Writes {@code {"type":<typeJson>,"value":<value>}} in one pass into this thread's buffer: one
     * string per envelope, where writing the value alone and concatenating made three copies of it
     * (values are encoded once per checkpoint and task output).
     */
    private static String envelope(String typeJson, Object value) {
        EnvelopeBuffer shared = BUFFER.get();
        // a value whose serializer encodes another value on this thread gets a buffer of its own
        EnvelopeBuffer buffer = shared.inUse ? new EnvelopeBuffer() : shared;
        StringBuilder text = buffer.start();
        try {
            text.append("{\"type\":").append(typeJson).append(",\"value\":");
            // exactly what writeValueAsString(value) writes, with one serialization context as there
            Json.MAPPER.writeValue(buffer, value);
            text.append('}');
        } finally {
            buffer.inUse = false;
        }
        return buffer.finish(text);
    }

    private static final ThreadLocal<EnvelopeBuffer> BUFFER = ThreadLocal.withInitial(EnvelopeBuffer::new);

    /** A writer into a builder that a thread reuses for its envelopes; a large one is not kept. */
    private static final class EnvelopeBuffer extends Writer {
        private static final int KEPT_CAPACITY = 16 * 1024;
        private StringBuilder text = new StringBuilder(256);
        boolean inUse;

        StringBuilder start() {
            inUse = true;
            text.setLength(0);
            return text;
        }

        String finish(StringBuilder written) {
            String result = written.toString();
            if (written.capacity() > KEPT_CAPACITY) {
                text = new StringBuilder(256);
            }
            return result;
        }

        @Override
        public void write(char[] chars, int offset, int length) {
            text.append(chars, offset, length);
        }

        @Override
        public void write(String string, int offset, int length) {
            text.append(string, offset, offset + length);
        }

        @Override
        public void write(int c) {
            text.append((char) c);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    }

    /**
     * @param envelope an envelope written by {@link #encode}
     * @param expected the type the reader expects, or null; used when concrete
     * @return the value read back
     * @throws ValueCodecException if the value cannot be read as the chosen type
     */
    public Object decode(String envelope, Type expected) {
        // Envelopes written by encode put "type" before "value", so the value can be read straight
        // from the parser; anything else goes through a tree.
        try (JsonParser parser = Json.MAPPER.createParser(envelope)) {
            if (parser.nextToken() == JsonToken.START_OBJECT && "type".equals(parser.nextName())) {
                JsonToken typeToken = parser.nextToken();
                String storedType = typeToken == JsonToken.VALUE_STRING ? parser.getString() : null;
                if ("value".equals(parser.nextName())) {
                    if (parser.nextToken() == JsonToken.VALUE_NULL) {
                        return null;
                    }
                    JavaType type = chooseType(expected, storedType);
                    try {
                        return readers.computeIfAbsent(
                                        type,
                                        t -> Json.MAPPER
                                                .readerFor(t)
                                                .without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS))
                                .readValue(parser);
                    } catch (JacksonException e) {
                        throw new ValueCodecException(
                                "cannot read stored value as " + type.toCanonical() + ": " + e.getOriginalMessage(), e);
                    }
                }
            }
        } catch (JacksonException e) {
            throw new ValueCodecException("stored value is not valid JSON: " + e.getOriginalMessage(), e);
        }
        return decodeTree(envelope, expected);
    }

    private Object decodeTree(String envelope, Type expected) {
        JsonNode tree;
        try {
            tree = Json.MAPPER.readTree(envelope);
        } catch (JacksonException e) {
            throw new ValueCodecException("stored value is not valid JSON: " + e.getOriginalMessage(), e);
        }
        JsonNode value = tree.get("value");
        JsonNode storedType = tree.get("type");
        if (value == null || value.isNull()) {
            return null;
        }
        JavaType type =
                chooseType(expected, storedType != null && storedType.isString() ? storedType.asString() : null);
        try {
            return Json.MAPPER.treeToValue(value, type);
        } catch (JacksonException e) {
            throw new ValueCodecException(
                    "cannot read stored value as " + type.toCanonical() + ": " + e.getOriginalMessage(), e);
        }
    }

    private JavaType chooseType(Type expected, String storedType) {
        if (isConcrete(expected)) {
            return javaType(expected);
        }
        return storedType != null ? storedType(storedType) : types.constructType(Object.class);
    }

    /** @return the envelope's value as JSON, without interpreting its type */
    public static JsonNode rawValue(String envelope) {
        return Json.MAPPER.readTree(envelope).get("value");
    }

    private JavaType javaType(Type type) {
        return type instanceof JavaType javaType ? javaType : types.constructType(type);
    }

    private JavaType storedType(String canonical) {
        return typeCache.computeIfAbsent(canonical, c -> {
            try {
                return types.constructFromCanonical(c);
            } catch (IllegalArgumentException e) {
                throw new ValueCodecException(
                        "stored type " + c + " cannot be loaded by " + classLoader + ": " + e.getMessage(), e);
            }
        });
    }

    /**
     * A type is concrete when Jackson can rebuild a value from it alone: no type variables or
     * wildcards, no raw generic classes, not {@code Object}, and not abstract unless it is a
     * parameterized collection or map.
     */
    static boolean isConcrete(Type type) {
        if (type == null) {
            return false;
        }
        if (type instanceof Class<?> c) {
            if (c.isPrimitive() || c.isArray() && isConcrete(c.getComponentType())) {
                return true;
            }
            if (c == Object.class || c.isArray() || c.getTypeParameters().length > 0) {
                return false;
            }
            return !c.isInterface() && !Modifier.isAbstract(c.getModifiers());
        }
        if (type instanceof ParameterizedType p) {
            Class<?> raw = (Class<?>) p.getRawType();
            boolean isAbstract = raw.isInterface() || Modifier.isAbstract(raw.getModifiers());
            if (isAbstract && !Collection.class.isAssignableFrom(raw) && !Map.class.isAssignableFrom(raw)) {
                return false;
            }
            for (Type argument : p.getActualTypeArguments()) {
                if (!isConcrete(argument)) {
                    return false;
                }
            }
            return true;
        }
        if (type instanceof JavaType javaType) {
            Class<?> raw = javaType.getRawClass();
            if (javaType.isJavaLangObject() || javaType.containedTypeCount() < raw.getTypeParameters().length) {
                return false;
            }
            if (javaType.isAbstract() && !javaType.isContainerType()
                    || javaType.isInterface() && !javaType.isContainerType()) {
                return false;
            }
            for (int i = 0; i < javaType.containedTypeCount(); i++) {
                if (!isConcrete(javaType.containedType(i))) {
                    return false;
                }
            }
            return true;
        }
        if (type instanceof GenericArrayType a) {
            return isConcrete(a.getGenericComponentType());
        }
        return false;
    }
}
