package dev.hark.runtime.json;

import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/** The runtime's one Jackson configuration. Immutable and thread-safe, as Jackson 3 mappers are. */
public final class Json {

    /**
     * Shared mapper: ISO-8601 dates; unknown properties tolerated so old checkpoints stay readable;
     * a value with no visible properties refused, since it would come back empty.
     */
    public static final JsonMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .build();

    private Json() {}
}
