package dev.hark.runtime.http;

import dev.hark.workflow.internal.Json;
import java.security.SecureRandom;
import java.util.HexFormat;
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

    private static final SecureRandom IDS = new SecureRandom();

    /** @return a short random id that ties an error reply to its stack trace in the server log */
    static String newErrorId() {
        byte[] bytes = new byte[6];
        IDS.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /**
     * A 500 body: the failure's first message line and the error id, never a stack trace (the caller
     * logs that with the same id).
     */
    static ObjectNode internalError(String errorId, Throwable failure) {
        String detail =
                failure.getMessage() == null ? failure.getClass().getSimpleName() : firstLine(failure.getMessage());
        ObjectNode body = error("internal_error", "internal error (error id " + errorId + "): " + detail, null);
        body.put("error_id", errorId);
        return body;
    }

    /** @return the first line of {@code text}: a stored failure keeps its stack trace, replies show its message */
    static String firstLine(String text) {
        if (text == null) {
            return null;
        }
        int end = text.indexOf('\n');
        return (end < 0 ? text : text.substring(0, end)).stripTrailing();
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
