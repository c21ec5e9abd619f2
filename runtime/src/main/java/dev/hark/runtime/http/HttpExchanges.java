package dev.hark.runtime.http;

import dev.hark.runtime.json.Json;
import java.util.Locale;
import tools.jackson.databind.node.ObjectNode;

/** JSON error bodies and content-type checks shared by the event and admin handlers. */
final class HttpExchanges {

    private HttpExchanges() {}

    static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        if (contentType.equalsIgnoreCase("application/json")) {
            return true; // nearly every request: no need to split it
        }
        String mediaType = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        return mediaType.equals("application/json") || mediaType.startsWith("application/") && mediaType.endsWith("+json");
    }

    static ObjectNode error(String code, String message, String field) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("error", code);
        body.put("message", message);
        if (field != null) {
            body.put("field", field);
        }
        return body;
    }
}
