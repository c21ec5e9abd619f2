package dev.hark.runtime.http;

import dev.hark.workflow.internal.Json;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * One HTTP request, its body already read within the size limit, and the way to answer it — from
 * any thread, exactly once. The handlers see only this, not the server that carries the request.
 */
interface HttpCall {

    String method();

    /** @return the decoded path, e.g. {@code /event/send_event/my-workflow} */
    String path();

    /** @return the raw query string, or null */
    String rawQuery();

    /** @return the first value of a request header, or null */
    String header(String name);

    /** @return every request header (name, value), for forwarding the request as it came; none by default */
    default Iterable<Map.Entry<String, String>> headerEntries() {
        return java.util.List.of();
    }

    byte[] body();

    /** Answers with a JSON body already serialized, unless this call was answered already. */
    void reply(int status, Map<String, String> headers, byte[] json);

    default void reply(int status, byte[] json) {
        reply(status, Map.of(), json);
    }

    /** Answers with a JSON body, unless this call was answered already. */
    default void reply(int status, Map<String, String> headers, JsonNode body) {
        reply(status, headers, Json.MAPPER.writeValueAsBytes(body));
    }

    default void reply(int status, JsonNode body) {
        reply(status, Map.of(), body);
    }

    /** @return whether this call has been answered */
    boolean replied();
}
