package dev.hark.runtime.workflow;

import dev.hark.workflow.internal.Json;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.databind.ObjectReader;

/**
 * Reads stored DAG definitions, parsing each distinct text once: the workflows of one shape with
 * the same arguments store the same text, and resuming a million of them parsed it a million times
 * (the JSON decode was the largest part of {@code resumeAll}). A {@link DagDefinition} is immutable,
 * so one parsed instance serves every workflow that stored that text.
 *
 * <p>Bounded: the {@value #MAX_ENTRIES} most recently read texts of at most {@value #MAX_TEXT_CHARS}
 * characters each; a longer text is parsed every time.
 */
public final class StoredDefinitions {

    static final int MAX_ENTRIES = 256;
    static final int MAX_TEXT_CHARS = 16 * 1024;
    /** Bound to the type once, not looked up per read as {@code MAPPER.readValue(text, type)} does. */
    private static final ObjectReader READER = Json.MAPPER.readerFor(DagDefinition.class);

    private final Map<String, DagDefinition> parsed = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, DagDefinition> eldest) {
            return size() > MAX_ENTRIES;
        }
    };

    /**
     * @return the definition stored as {@code dagJson}
     * @throws tools.jackson.core.JacksonException if the text is not a definition
     */
    public DagDefinition read(String dagJson) {
        if (dagJson.length() > MAX_TEXT_CHARS) {
            return parse(dagJson);
        }
        synchronized (parsed) {
            DagDefinition known = parsed.get(dagJson);
            if (known != null) {
                return known;
            }
        }
        DagDefinition fresh = parse(dagJson);
        synchronized (parsed) {
            parsed.put(dagJson, fresh);
        }
        return fresh;
    }

    private static DagDefinition parse(String dagJson) {
        return READER.readValue(dagJson);
    }
}
