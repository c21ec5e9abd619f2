package dev.hark.runtime.http;

import dev.hark.runtime.event.IdempotencyKeys;
import dev.hark.workflow.internal.Json;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import tools.jackson.core.JacksonException;

/**
 * A CloudEvent (CloudEvents 1.0, its HTTP protocol binding) sent to the event endpoint, read into
 * what the endpoint delivers: an event key, a payload and an idempotency key. It lets a producer
 * that already emits CloudEvents (Knative, Dapr, cloud event buses) feed a waiting workflow without
 * a translation step [R7.4].
 *
 * <table>
 *   <caption>Mapping</caption>
 *   <tr><td>workflow id</td><td>the URL path, as for every event; sent to the bare path (a
 *       subscription with one fixed URL: a Knative trigger, a Dapr route), the extension attribute
 *       {@code harkworkflowid} when present, else {@code subject} (the entity the event is about)</td></tr>
 *   <tr><td>event key</td><td>the extension attribute {@code harkkey} when present, else {@code type}:
 *       the type says what happened ({@code com.example.order.paid}), which is what a wait waits
 *       for; {@code subject} is usually the entity (the order), which is the workflow</td></tr>
 *   <tr><td>idempotency key</td><td>{@code id}: CloudEvents producers resend an event with the same
 *       {@code id}, so a redelivery is answered {@code already_recorded} [R7.3]</td></tr>
 *   <tr><td>payload</td><td>{@code data} (structured mode), or the body read as its
 *       {@code Content-Type} says (binary mode: JSON, or {@code text/plain} as a string); none: null</td></tr>
 * </table>
 *
 * <p>{@code specversion} ({@code 1.0}), {@code id}, {@code source} and {@code type} are required;
 * other attributes are accepted and not kept. Structured mode's {@code data_base64} and the batched
 * mode are refused: the payload is JSON data.
 *
 * <p>Binary mode with {@code text/plain} is no hole in the browser defences of {@link HostRules}: an
 * HTML form cannot send {@code ce-*} headers, and a script that adds them needs a CORS preflight the
 * server never grants.
 */
final class CloudEventRequest {

    /** The structured mode's media type. */
    static final String STRUCTURED_TYPE = "application/cloudevents+json";

    /** Every media type of the structured and batched modes starts so. */
    private static final String CLOUDEVENTS_PREFIX = "application/cloudevents";

    /** The extension attribute that names the workflow when the URL does not. */
    static final String WORKFLOW_ID_ATTRIBUTE = "harkworkflowid";

    private static final String HEADER_PREFIX = "ce-";
    private static final String SPEC_VERSION = "1.0";
    private static final int MAX_EVENT_KEY_LENGTH = 1024;
    private static final String SUPPORTED = "one CloudEvent per request: structured mode (Content-Type: "
            + STRUCTURED_TYPE + ") or binary mode (ce-* headers, data as application/json or text/plain)";

    private CloudEventRequest() {}

    /** How a request carries its event. */
    enum Mode {
        /** Not a CloudEvent: the endpoint's own JSON body. */
        NONE,
        /** {@code Content-Type: application/cloudevents+json}: attributes and data in one JSON object. */
        STRUCTURED,
        /** Attributes in {@code ce-*} headers, the data as the body. */
        BINARY,
        /** A CloudEvents media type other than structured JSON: the batched mode, another event format. */
        UNSUPPORTED
    }

    /** What a request turned out to be. */
    sealed interface Outcome permits Parsed, Refusal {}

    /**
     * A valid CloudEvent, read into the endpoint's terms.
     *
     * @param idempotencyKey the CloudEvent's {@code id}
     * @param workflowId {@code harkworkflowid}, else {@code subject}, else null; used only when the
     *     URL names no workflow
     * @param workflowIdField the attribute (as sent: {@code ce-subject} in binary mode) that gave
     *     {@code workflowId}
     */
    record Parsed(String eventKey, Object payload, String idempotencyKey, String workflowId, String workflowIdField)
            implements Outcome {}

    /** Answer the request with this error, recording nothing. */
    record Refusal(int status, String code, String message, String field) implements Outcome {}

    /**
     * Tells the modes apart as the binding does: by the media type, then by the headers. Any of the
     * required attributes as a header makes binary mode, so that a sender who forgot
     * {@code ce-specversion} hears so rather than being read as a plain event.
     */
    static Mode mode(HttpCall call, String contentType) {
        if (contentType != null
                && contentType.regionMatches(true, 0, CLOUDEVENTS_PREFIX, 0, CLOUDEVENTS_PREFIX.length())) {
            return mediaType(contentType).equalsIgnoreCase(STRUCTURED_TYPE) ? Mode.STRUCTURED : Mode.UNSUPPORTED;
        }
        if (call.header("ce-specversion") != null
                || call.header("ce-id") != null
                || call.header("ce-type") != null
                || call.header("ce-source") != null) {
            return Mode.BINARY;
        }
        return Mode.NONE;
    }

    /**
     * @return the 415 for a media type this endpoint does not read in {@code mode}, else null; checked
     *     before authentication, like the endpoint's own 415
     */
    static Refusal unsupportedMedia(Mode mode, String contentType, byte[] body) {
        if (mode == Mode.UNSUPPORTED) {
            return unsupported(contentType, SUPPORTED);
        }
        if (mode != Mode.BINARY) {
            return null;
        }
        if (contentType == null) {
            return body.length == 0
                    ? null
                    : unsupported(null, "a binary-mode CloudEvent with data needs its Content-Type; " + SUPPORTED);
        }
        if (HttpExchanges.isJson(contentType)) {
            return null;
        }
        if (!mediaType(contentType).equalsIgnoreCase("text/plain")) {
            return unsupported(contentType, SUPPORTED);
        }
        String charset = parameter(contentType, "charset");
        return charset == null || charset.equalsIgnoreCase("utf-8") || charset.equalsIgnoreCase("us-ascii")
                ? null
                : unsupported(contentType, "text/plain data must be UTF-8");
    }

    /**
     * Reads the event of a request whose mode is {@link Mode#STRUCTURED} or {@link Mode#BINARY} and
     * whose media type passed {@link #unsupportedMedia}.
     */
    static Outcome read(HttpCall call, Mode mode) {
        return mode == Mode.STRUCTURED ? structured(call) : binary(call);
    }

    /**
     * {@link #read}, then {@link #workflowIdProblem}: the event, or why it is refused.
     *
     * @param urlWorkflowId the workflow id in the URL; empty at the bare path
     */
    static Outcome readFor(HttpCall call, Mode mode, String urlWorkflowId) {
        Outcome outcome = read(call, mode);
        if (outcome instanceof Parsed event) {
            Refusal problem = workflowIdProblem(event, urlWorkflowId);
            return problem != null ? problem : event;
        }
        return outcome;
    }

    /**
     * @param urlWorkflowId the workflow id in the URL; empty at the bare path
     * @return why {@code event} cannot go to a workflow: at the bare path, it names none; else, its
     *     {@code harkworkflowid} names another than the URL (its {@code subject} may: it is often the
     *     entity, not the workflow); null if it can
     */
    static Refusal workflowIdProblem(Parsed event, String urlWorkflowId) {
        if (urlWorkflowId.isEmpty() && event.workflowId() == null) {
            return new Refusal(
                    400,
                    "missing_attribute",
                    "a CloudEvent sent to " + EventHandler.PATH + " without a workflow id names its workflow in the "
                            + WORKFLOW_ID_ATTRIBUTE + " or subject attribute; it has neither",
                    event.workflowIdField());
        }
        if (!urlWorkflowId.isEmpty()
                && event.workflowIdField().endsWith(WORKFLOW_ID_ATTRIBUTE)
                && !urlWorkflowId.equals(event.workflowId())) {
            return new Refusal(
                    400,
                    "conflicting_workflow_ids",
                    "the URL names workflow '" + urlWorkflowId + "' and the CloudEvent's " + event.workflowIdField()
                            + " '" + event.workflowId() + "'; send one, or the same in both",
                    event.workflowIdField());
        }
        return null;
    }

    /**
     * @return the refusal of a request a Standard Webhooks signature authenticated, if its attributes
     *     are outside what the signature covers (the body): binary mode's; else null
     */
    static Refusal unsigned(Mode mode) {
        return mode != Mode.BINARY
                ? null
                : new Refusal(
                        400,
                        "unsigned_attributes",
                        "a webhook signature covers the body only, so the ce-* headers of a binary-mode"
                                + " CloudEvent would go unsigned; send it in structured mode (Content-Type: "
                                + STRUCTURED_TYPE + ")",
                        Authenticator.WEBHOOK_SIGNATURE);
    }

    private static Outcome structured(HttpCall call) {
        Object parsed;
        try {
            parsed = Json.INTAKE.readValue(call.body(), Object.class);
        } catch (JacksonException e) {
            return new Refusal(400, "malformed_json", "the body is not valid JSON: " + e.getOriginalMessage(), null);
        }
        if (!(parsed instanceof Map<?, ?> event)) {
            return new Refusal(
                    400, "malformed_body", "a structured-mode CloudEvent is one JSON object; " + SUPPORTED, null);
        }
        if (event.containsKey("data_base64")) {
            return new Refusal(
                    400,
                    "unsupported_data",
                    "data_base64 (binary data) is not accepted: the payload is JSON; send it as data,"
                            + " or in binary mode as application/json or text/plain",
                    "data_base64");
        }
        return attributes(call, event::get, "", event.get("data"));
    }

    private static Outcome binary(HttpCall call) {
        Map<String, Object> decoded = new HashMap<>();
        for (String name :
                new String[] {"specversion", "id", "source", "type", "harkkey", WORKFLOW_ID_ATTRIBUTE, "subject"}) {
            String raw = call.header(HEADER_PREFIX + name);
            if (raw == null) {
                continue;
            }
            String value = percentDecoded(raw);
            if (value == null) {
                return new Refusal(
                        400,
                        "invalid_attribute",
                        HEADER_PREFIX + name + " is not validly percent-encoded UTF-8",
                        HEADER_PREFIX + name);
            }
            decoded.put(name, value);
        }
        Outcome attributes = attributes(call, decoded::get, HEADER_PREFIX, null);
        if (attributes instanceof Refusal refusal) {
            return refusal;
        }
        String contentType = call.header("Content-Type");
        if (contentType == null) {
            return attributes; // no data (a body without a Content-Type was refused as 415)
        }
        Object payload;
        if (HttpExchanges.isJson(contentType)) {
            try {
                payload = Json.INTAKE.readValue(call.body(), Object.class);
            } catch (JacksonException e) {
                return new Refusal(
                        400,
                        "malformed_json",
                        "the body (the CloudEvent's data, Content-Type " + contentType + ") is not valid JSON: "
                                + e.getOriginalMessage(),
                        null);
            }
        } else {
            payload = utf8(call.body());
            if (payload == null) {
                return new Refusal(400, "malformed_text", "the text/plain body is not valid UTF-8", null);
            }
        }
        Parsed event = (Parsed) attributes;
        return new Parsed(
                event.eventKey(), payload, event.idempotencyKey(), event.workflowId(), event.workflowIdField());
    }

    /** The rules both modes share; {@code prefix} turns an attribute into the field the sender wrote. */
    private static Outcome attributes(
            HttpCall call, Function<String, Object> attribute, String prefix, Object payload) {
        Object version = attribute.apply("specversion");
        Refusal problem = required(version, "specversion", prefix);
        if (problem != null) {
            return problem;
        }
        if (!SPEC_VERSION.equals(version)) {
            return new Refusal(
                    400,
                    "unsupported_specversion",
                    prefix + "specversion must be \"" + SPEC_VERSION + "\" (CloudEvents 1.0), was \"" + version + "\"",
                    prefix + "specversion");
        }
        for (String name : new String[] {"id", "source", "type"}) {
            problem = required(attribute.apply(name), name, prefix);
            if (problem != null) {
                return problem;
            }
        }
        String id = (String) attribute.apply("id");
        String idProblem = IdempotencyKeys.problem(id);
        if (idProblem != null) {
            return new Refusal(
                    400,
                    "invalid_idempotency_key",
                    prefix + "id is this event's idempotency key: " + idProblem,
                    prefix + "id");
        }
        String header = call.header(EventHandler.IDEMPOTENCY_KEY_HEADER);
        if (header != null && !header.equals(id)) {
            return new Refusal(
                    400,
                    "conflicting_idempotency_keys",
                    "the CloudEvent's id is its idempotency key, and the " + EventHandler.IDEMPOTENCY_KEY_HEADER
                            + " header differs from it; leave the header out, or send the same value",
                    prefix + "id");
        }
        String keyName = "harkkey";
        Object key = attribute.apply(keyName);
        if (key == null) {
            keyName = "type";
            key = attribute.apply(keyName);
        } else if (!(key instanceof String)) {
            return wrongType(keyName, prefix);
        }
        String eventKey = (String) key;
        if (eventKey.isEmpty() || eventKey.length() > MAX_EVENT_KEY_LENGTH) {
            return new Refusal(
                    400,
                    "invalid_attribute",
                    prefix + keyName + " is the event key and must be 1 to " + MAX_EVENT_KEY_LENGTH
                            + " characters long",
                    prefix + keyName);
        }
        String workflowField = WORKFLOW_ID_ATTRIBUTE;
        Object workflowId = attribute.apply(workflowField);
        if (workflowId == null) {
            workflowField = "subject";
            workflowId = attribute.apply(workflowField);
        }
        if (workflowId != null && !(workflowId instanceof String)) {
            return wrongType(workflowField, prefix);
        }
        return new Parsed(eventKey, payload, id, (String) workflowId, prefix + workflowField);
    }

    private static Refusal required(Object value, String name, String prefix) {
        if (value == null) {
            return new Refusal(
                    400,
                    "missing_attribute",
                    "the required CloudEvents attribute " + prefix + name + " is missing",
                    prefix + name);
        }
        if (!(value instanceof String text)) {
            return wrongType(name, prefix);
        }
        return text.isEmpty()
                ? new Refusal(400, "invalid_attribute", prefix + name + " must not be empty", prefix + name)
                : null;
    }

    private static Refusal wrongType(String name, String prefix) {
        return new Refusal(400, "wrong_type", prefix + name + " must be a string", prefix + name);
    }

    private static Refusal unsupported(String contentType, String what) {
        return new Refusal(
                415,
                "unsupported_media_type",
                (contentType == null ? "no Content-Type" : "Content-Type " + contentType) + " is not accepted here; "
                        + "send " + what,
                null);
    }

    private static String mediaType(String contentType) {
        int parameters = contentType.indexOf(';');
        return (parameters < 0 ? contentType : contentType.substring(0, parameters)).trim();
    }

    /** @return the value of a media type's parameter, unquoted, or null */
    private static String parameter(String contentType, String name) {
        String[] parts = contentType.split(";");
        for (int i = 1; i < parts.length; i++) {
            String part = parts[i].trim();
            int equals = part.indexOf('=');
            if (equals > 0 && part.substring(0, equals).trim().equalsIgnoreCase(name)) {
                String value = part.substring(equals + 1).trim();
                return value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")
                        ? value.substring(1, value.length() - 1)
                        : value;
            }
        }
        return null;
    }

    /**
     * The binding percent-encodes what a header value cannot carry (non-ASCII as UTF-8 octets, space,
     * {@code "}, {@code %}).
     *
     * @return the decoded value, or null if an escape is malformed or the octets are not UTF-8
     */
    static String percentDecoded(String value) {
        if (value.indexOf('%') < 0) {
            return value;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c != '%') {
                if (c > 0xFF) {
                    return null;
                }
                bytes.write(c);
                continue;
            }
            if (i + 2 >= value.length()) {
                return null;
            }
            int high = Character.digit(value.charAt(i + 1), 16);
            int low = Character.digit(value.charAt(i + 2), 16);
            if (high < 0 || low < 0) {
                return null;
            }
            bytes.write(high << 4 | low);
            i += 2;
        }
        return utf8(bytes.toByteArray());
    }

    /** @return {@code bytes} as UTF-8, or null if they are not (never a replacement character) */
    private static String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
