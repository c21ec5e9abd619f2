package dev.hark.runtime.http;

import dev.hark.runtime.json.Json;
import tools.jackson.databind.node.ObjectNode;

/** JSON error bodies and content-type checks shared by the event and admin handlers. */
final class HttpExchanges {

    private HttpExchanges() {}

    static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        // Once per event request: compared in place, without splitting or lower-casing a copy.
        int parameters = contentType.indexOf(';');
        String mediaType = (parameters < 0 ? contentType : contentType.substring(0, parameters)).trim();
        return mediaType.equalsIgnoreCase("application/json")
                || mediaType.regionMatches(true, 0, "application/", 0, 12)
                && mediaType.regionMatches(true, mediaType.length() - 5, "+json", 0, 5);
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
