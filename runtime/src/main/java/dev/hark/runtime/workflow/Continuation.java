package dev.hark.runtime.workflow;

import dev.hark.workflow.internal.Json;

/**
 * The stored record of a task that returned a {@code Node}: the DAG it continues with, stored as the
 * task's output with state {@code CONTINUED}. The task's own output is that DAG's root output.
 *
 * @param number this workflow's count of continuations when it was made, from 1; its task ids are
 *     prefixed {@code c<number>.}, unique within the workflow
 * @param dag the continuation, compiled
 */
public record Continuation(int number, DagDefinition dag) {

    /** @return the prefix of this continuation's task ids */
    public static String taskIdPrefix(int number) {
        return "c" + number + ".";
    }

    public static Continuation read(String json) {
        return Json.MAPPER.readValue(json, Continuation.class);
    }

    public String write() {
        return Json.MAPPER.writeValueAsString(this);
    }
}
