package dev.hark.runtime.http;

import com.sun.net.httpserver.HttpExchange;
import dev.hark.runtime.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.node.ObjectNode;

/** Reading requests and writing JSON replies, shared by the event and admin handlers. */
final class HttpExchanges {

    private static final Logger LOG = LoggerFactory.getLogger(HttpExchanges.class);

    private HttpExchanges() {}

    /** @return the body, or null if it is larger than {@code maxBytes} */
    static byte[] readBody(HttpExchange exchange, int maxBytes) throws IOException {
        String declared = exchange.getRequestHeaders().getFirst("Content-Length");
        if (declared != null) {
            try {
                if (Long.parseLong(declared.trim()) > maxBytes) {
                    return null;
                }
            } catch (NumberFormatException ignored) {
                // the server itself rejects a malformed length; read and count instead
            }
        }
        try (InputStream in = exchange.getRequestBody()) {
            byte[] body = in.readNBytes(maxBytes + 1);
            return body.length > maxBytes ? null : body;
        }
    }

    static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
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

    static void reply(HttpExchange exchange, int status, tools.jackson.databind.JsonNode body) {
        byte[] bytes = Json.MAPPER.writeValueAsBytes(body);
        try {
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        } catch (IOException e) {
            LOG.debug("could not send the HTTP reply (client gone?)", e);
        } finally {
            exchange.close();
        }
    }
}
