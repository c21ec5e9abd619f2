package dev.hark.workflow.internal;

import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/** The runtime's one Jackson configuration. Immutable and thread-safe, as Jackson 3 mappers are. */
public final class Json {

    /**
     * How deep a request body may nest (HTTP event bodies, admin {@code POST /workflows} bodies),
     * counting the body object itself as one level. Far under {@link #MAX_STORED_DEPTH}, so that a
     * value taken in at this depth stays readable once the store wraps it in its own envelopes
     * (a value envelope, an event record, a DAG definition).
     */
    public static final int MAX_INTAKE_DEPTH = 64;

    /** How deep stored JSON may nest when read back (Jackson's default limit). */
    public static final int MAX_STORED_DEPTH = StreamReadConstraints.DEFAULT_MAX_DEPTH;

    /**
     * Shared mapper: ISO-8601 dates; unknown properties tolerated so old checkpoints stay readable;
     * a value with no visible properties refused, since it would come back empty.
     */
    public static final JsonMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .build();

    /**
     * The mapper for what clients send: as {@link #MAPPER}, but a body nested deeper than
     * {@link #MAX_INTAKE_DEPTH} is refused with a {@link tools.jackson.core.exc.StreamConstraintsException}
     * naming the limit.
     */
    public static final JsonMapper INTAKE = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNestingDepth(MAX_INTAKE_DEPTH)
                            .build())
                    .build())
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .build();

    private Json() {}
}
