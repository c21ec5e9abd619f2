package dev.hark.runtime.http;

import dev.hark.runtime.concurrent.Futures;
import dev.hark.runtime.event.Delivery;
import dev.hark.runtime.event.IdempotencyKeys;
import dev.hark.workflow.WorkflowIds;
import dev.hark.workflow.internal.Json;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.core.io.JsonStringEncoder;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code POST /event/send_event/{workflow_id}} with {@code {"event_key": ..., "event_payload": ...}}, and
 * optionally an idempotency key: an {@code Idempotency-Key} header or the body's {@code event_id}; or
 * with a CloudEvent, in structured or binary mode ({@link CloudEventRequest}, R7.4), which may also go to
 * the bare {@code /event/send_event/} and name its workflow itself.
 *
 * <table>
 *   <caption>Replies</caption>
 *   <tr><td>200</td><td>the event is durably checkpointed by the workflow's wait for that key, now
 *       ({@code checkpointed}) or by an earlier send with the same idempotency key
 *       ({@code already_recorded}) [R7.3]; or durably buffered for a wait not registered yet, when the
 *       server buffers early events ({@code buffered}) [R9.1]; or, with {@code ?start=<definition>},
 *       the workflow was created with the event buffered for its first wait ({@code started}) [R9.6]</td></tr>
 *   <tr><td>400</td><td>malformed JSON, a missing or non-string {@code event_key}, a missing
 *       {@code event_payload}, an invalid workflow id, a CloudEvent's missing or invalid attribute — the
 *       body names the field</td></tr>
 *   <tr><td>401 / 403</td><td>the server has credentials and the request brings no valid token or webhook
 *       signature / one that does not cover this workflow ({@link Authenticator}); 403
 *       {@code start_not_allowed}: {@code ?start=} names a definition the server does not start on
 *       events [R9.7]</td></tr>
 *   <tr><td>404</td><td>no wait for (workflow id, event key): too early, unknown or finished workflow</td></tr>
 *   <tr><td>405 / 415</td><td>not a POST / not {@code application/json} (nor a CloudEvent this
 *       endpoint reads)</td></tr>
 *   <tr><td>409</td><td>the wait for this key already took an event</td></tr>
 *   <tr><td>413</td><td>body over the limit</td></tr>
 *   <tr><td>500</td><td>the checkpoint failed; the event was not consumed and can be sent again</td></tr>
 *   <tr><td>503</td><td>when several nodes share the store and another node runs the workflow, the
 *       request is forwarded to it and its reply is this reply ({@link OwnerForwarding}); when that node
 *       does not answer, 503 {@code owner_unavailable} with {@code Retry-After} of the lease, and a
 *       forwarded request for a workflow that moved meanwhile, 503 {@code owner_moved}</td></tr>
 *   <tr><td>503</td><td>the checkpoint did not finish within the reply timeout ({@code checkpoint_timeout}), or
 *       the runtime is starting and has not re-parked this workflow's waits yet ({@code not_yet_resumed}, with
 *       {@code resumed} and {@code total}); both with {@code Retry-After: 1}: send again</td></tr>
 * </table>
 *
 * The request thread never waits for the checkpoint: the reply is written by whichever thread
 * completes the delivery.
 */
final class EventHandler {

    static final String PATH = "/event/send_event/";

    private static final Logger LOG = LoggerFactory.getLogger(EventHandler.class);
    private static final int MAX_KEY_LENGTH = 1024;
    static final String IDEMPOTENCY_KEY_HEADER = "Idempotency-Key";
    private static final JsonStringEncoder QUOTER = JsonStringEncoder.getInstance();
    // The 200 body around its three quoted values (see Answer.acceptedBody).
    private static final byte[] ACCEPTED_PREFIX = ascii("{\"status\":\"checkpointed\",\"workflow_id\":\"");
    private static final byte[] RECORDED_EARLIER_PREFIX = ascii("{\"status\":\"already_recorded\",\"workflow_id\":\"");
    private static final byte[] ACCEPTED_KEY = ascii("\",\"event_key\":\"");
    private static final byte[] ACCEPTED_ID = ascii("\",\"event_id\":\"");
    private static final byte[] ACCEPTED_END = ascii("\"}");

    private final HttpSettings settings;
    private final EventSender sender;
    private final Authenticator authenticator;

    private final ReplyDeadlines deadlines;
    private final OwnerForwarding forwarding;

    EventHandler(
            HttpSettings settings, EventSender sender, Authenticator authenticator, ScheduledExecutorService sweeper) {
        this(
                settings,
                sender,
                authenticator,
                sweeper,
                new OwnerForwarding(settings.replyTimeout(), sender::nodeLeases));
    }

    EventHandler(
            HttpSettings settings,
            EventSender sender,
            Authenticator authenticator,
            ScheduledExecutorService sweeper,
            OwnerForwarding forwarding) {
        this.settings = settings;
        this.sender = sender;
        this.authenticator = authenticator;
        this.deadlines = new ReplyDeadlines(settings.replyTimeout().toNanos(), sweeper);
        this.forwarding = forwarding;
    }

    void handle(HttpCall call) {
        try {
            dispatch(call);
        } catch (RuntimeException | LinkageError e) {
            String errorId = HttpExchanges.newErrorId();
            LOG.warn("HTTP event request failed, error id {}", errorId, e);
            call.reply(500, HttpExchanges.internalError(errorId, e));
        }
    }

    private void dispatch(HttpCall exchange) {
        String path = exchange.path();
        // The bare path takes only a CloudEvent, which names its workflow itself.
        if (path == null
                || !path.startsWith(PATH)
                || path.length() == PATH.length()
                        && CloudEventRequest.mode(exchange, exchange.header("Content-Type"))
                                == CloudEventRequest.Mode.NONE) {
            exchange.reply(
                    404,
                    HttpExchanges.error(
                            "not_found", "no such endpoint; send events with POST " + PATH + "<workflow_id>", null));
            return;
        }
        if (!"POST".equals(exchange.method())) {
            exchange.reply(
                    405,
                    Map.of("Allow", "POST"),
                    HttpExchanges.error(
                            "method_not_allowed", exchange.method() + " is not allowed; send events with POST", null));
            return;
        }
        String contentType = exchange.header("Content-Type");
        CloudEventRequest.Mode cloudEvent = CloudEventRequest.mode(exchange, contentType);
        CloudEventRequest.Refusal unsupported =
                CloudEventRequest.unsupportedMedia(cloudEvent, contentType, exchange.body());
        if (unsupported != null) {
            refuse(exchange, unsupported);
            return;
        }
        if (cloudEvent == CloudEventRequest.Mode.NONE && !HttpExchanges.isJson(contentType)) {
            exchange.reply(
                    415,
                    HttpExchanges.error(
                            "unsupported_media_type",
                            "the body must be JSON with Content-Type:" + " application/json; got "
                                    + (contentType == null ? "no Content-Type" : contentType),
                            null));
            return;
        }
        String workflowId = path.substring(PATH.length());
        String workflowIdField = "workflow_id";
        CloudEventRequest.Parsed event = null;
        if (workflowId.isEmpty()) {
            // A subscription with one fixed URL: the event names the workflow, so it is read before the credential.
            CloudEventRequest.Outcome outcome = CloudEventRequest.readFor(exchange, cloudEvent, workflowId);
            if (outcome instanceof CloudEventRequest.Refusal refusal) {
                refuse(exchange, refusal);
                return;
            }
            event = (CloudEventRequest.Parsed) outcome;
            workflowIdField = event.workflowIdField();
            workflowId = event.workflowId();
        }
        String idProblem = WorkflowIds.problem(workflowId, "workflow id");
        if (idProblem != null) {
            exchange.reply(400, HttpExchanges.error("invalid_workflow_id", idProblem, workflowIdField));
            return;
        }
        Authenticator.Decision decision = authenticator.event(exchange, workflowId);
        if (decision instanceof Authenticator.Refused refused) {
            exchange.reply(
                    refused.status(), refused.headers(), HttpExchanges.error(refused.code(), refused.message(), null));
            return;
        }
        String webhookId = ((Authenticator.Allowed) decision).webhookId();
        if (cloudEvent != CloudEventRequest.Mode.NONE) {
            CloudEventRequest.Refusal unsigned = webhookId == null ? null : CloudEventRequest.unsigned(cloudEvent);
            if (unsigned != null) {
                refuse(exchange, unsigned);
                return;
            }
            if (event == null) {
                CloudEventRequest.Outcome outcome = CloudEventRequest.readFor(exchange, cloudEvent, workflowId);
                if (outcome instanceof CloudEventRequest.Refusal refusal) {
                    refuse(exchange, refusal);
                    return;
                }
                event = (CloudEventRequest.Parsed) outcome;
            }
            // a CloudEvent may start its workflow too (?start=); its definition's input is {}
            StartOnEvent.Request start = StartOnEvent.parse(exchange, Map.of(), sender);
            if (start instanceof StartOnEvent.Refusal) {
                return; // answered
            }
            deliver(exchange, workflowId, event.eventKey(), event.payload(), event.idempotencyKey(), start);
            return;
        }
        byte[] body = exchange.body();
        // One pass straight into plain data: the payload is handed on exactly as parsed.
        EventFields fields = EventFields.read(body);
        if (fields == null) { // not a plain JSON object: the full parse says what is wrong, as it always did
            Object parsed;
            try {
                parsed = Json.INTAKE.readValue(body, Object.class); // nesting capped at Json.MAX_INTAKE_DEPTH
            } catch (JacksonException e) {
                exchange.reply(
                        400,
                        HttpExchanges.error(
                                "malformed_json", "the body is not valid JSON: " + e.getOriginalMessage(), null));
                return;
            }
            if (!(parsed instanceof Map<?, ?> json)) {
                exchange.reply(
                        400,
                        HttpExchanges.error(
                                "malformed_body",
                                "the body must be a JSON object with event_key and" + " event_payload",
                                null));
                return;
            }
            fields = EventFields.of(json);
        }
        Object key = fields.eventKey();
        if (key == null) {
            exchange.reply(400, HttpExchanges.error("missing_field", "event_key is missing", "event_key"));
            return;
        }
        if (!(key instanceof String eventKey)) {
            exchange.reply(
                    400,
                    HttpExchanges.error("wrong_type", "event_key must be a string, was " + jsonType(key), "event_key"));
            return;
        }
        if (eventKey.isEmpty() || eventKey.length() > MAX_KEY_LENGTH) {
            exchange.reply(
                    400,
                    HttpExchanges.error(
                            "invalid_field",
                            "event_key must be 1 to " + MAX_KEY_LENGTH + " characters long",
                            "event_key"));
            return;
        }
        if (!fields.hasPayload()) {
            exchange.reply(
                    400,
                    HttpExchanges.error(
                            "missing_field", "event_payload is missing (send null for no payload)", "event_payload"));
            return;
        }
        Object payload = fields.payload();
        String idempotencyKey = exchange.header(IDEMPOTENCY_KEY_HEADER);
        Object bodyKey = fields.eventId();
        if (bodyKey != null && !(bodyKey instanceof String)) {
            exchange.reply(
                    400,
                    HttpExchanges.error(
                            "wrong_type", "event_id must be a string, was " + jsonType(bodyKey), "event_id"));
            return;
        }
        if (bodyKey != null && idempotencyKey != null && !idempotencyKey.equals(bodyKey)) {
            exchange.reply(
                    400,
                    HttpExchanges.error(
                            "conflicting_idempotency_keys",
                            "the " + IDEMPOTENCY_KEY_HEADER
                                    + " header and the body's event_id differ; send one, or the same value in both",
                            "event_id"));
            return;
        }
        if (idempotencyKey == null) {
            idempotencyKey = (String) bodyKey;
        }
        if (webhookId != null) {
            // Standard Webhooks senders resend a message with the same id: it is the event's idempotency key.
            if (idempotencyKey != null && !idempotencyKey.equals(webhookId)) {
                exchange.reply(
                        400,
                        HttpExchanges.error(
                                "conflicting_idempotency_keys",
                                "the webhook-id is this event's"
                                        + " idempotency key, and the " + IDEMPOTENCY_KEY_HEADER
                                        + " header or the body's event_id"
                                        + " differs from it; leave them out, or send the same value",
                                "event_id"));
                return;
            }
            idempotencyKey = webhookId;
        }
        String keyProblem = IdempotencyKeys.problem(idempotencyKey);
        if (keyProblem != null) {
            exchange.reply(
                    400,
                    HttpExchanges.error(
                            "invalid_idempotency_key",
                            keyProblem,
                            webhookId != null
                                    ? Authenticator.WEBHOOK_ID
                                    : bodyKey != null ? "event_id" : IDEMPOTENCY_KEY_HEADER));
            return;
        }
        StartOnEvent.Request start = StartOnEvent.parse(exchange, fields.startFields(), sender);
        if (start instanceof StartOnEvent.Refusal) {
            return; // answered
        }
        deliver(exchange, workflowId, eventKey, payload, idempotencyKey, start);
    }

    /** @param start the send's start option, or null */
    private void deliver(
            HttpCall exchange,
            String workflowId,
            String eventKey,
            Object payload,
            String idempotencyKey,
            StartOnEvent.Request start) {
        Answer answer = new Answer(exchange, workflowId, eventKey);
        // A timeout answers the sender but leaves the delivery itself alone: it may still be recorded.
        deadlines.watch(answer);
        try {
            (start == null
                            ? sender.send(workflowId, eventKey, payload, idempotencyKey)
                            : StartOnEvent.send(sender, start, workflowId, eventKey, payload, idempotencyKey))
                    .whenComplete(answer);
        } catch (RuntimeException e) {
            answer.accept(null, e);
        }
    }

    private static void refuse(HttpCall exchange, CloudEventRequest.Refusal refusal) {
        exchange.reply(refusal.status(), HttpExchanges.error(refusal.code(), refusal.message(), refusal.field()));
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] part : parts) {
            length += part.length;
        }
        byte[] joined = new byte[length];
        int at = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, joined, at, part.length);
            at += part.length;
        }
        return joined;
    }

    /** @return whether JSON writes {@code text} as its ASCII bytes, unquoted: printable ASCII but {@code "} and {@code \\} */
    static boolean needsNoEscape(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') {
                return false;
            }
        }
        return true;
    }

    private static int put(byte[] into, int at, byte[] part) {
        System.arraycopy(part, 0, into, at, part.length);
        return at + part.length;
    }

    private static int putAscii(byte[] into, int at, String ascii) {
        for (int i = 0; i < ascii.length(); i++) {
            into[at + i] = (byte) ascii.charAt(i);
        }
        return at + ascii.length();
    }

    private static String jsonType(Object value) {
        if (value instanceof Number) {
            return "number";
        }
        if (value instanceof Boolean) {
            return "boolean";
        }
        if (value instanceof Map) {
            return "object";
        }
        return value instanceof List ? "array" : value.getClass().getSimpleName();
    }

    /** Answers one event request: with the delivery's outcome, or as timed out, whichever comes first. */
    private final class Answer implements BiConsumer<Delivery, Throwable>, ReplyDeadlines.Awaiting {
        private final HttpCall exchange;
        private final String workflowId;
        private final String eventKey;

        Answer(HttpCall exchange, String workflowId, String eventKey) {
            this.exchange = exchange;
            this.workflowId = workflowId;
            this.eventKey = eventKey;
        }

        @Override
        public boolean answered() {
            return exchange.replied();
        }

        @Override
        public void timedOut() {
            exchange.reply(
                    503,
                    Map.of("Retry-After", "1"),
                    HttpExchanges.error(
                            "checkpoint_timeout",
                            "the event was not checkpointed within "
                                    + settings.replyTimeout().toMillis() + " ms; it may still"
                                    + " be recorded. Send it again with the same Idempotency-Key: 200 \"already_recorded\""
                                    + " means it was recorded before",
                            null));
        }

        @Override
        public void accept(Delivery outcome, Throwable failure) {
            if (failure != null) {
                Throwable cause = Futures.unwrap(failure);
                if (cause instanceof StartOnEvent.InputRefused refused) { // the definition refused its input
                    exchange.reply(
                            400, HttpExchanges.error("invalid_start_input", refused.getMessage(), "start_input"));
                    return;
                }
                String errorId = HttpExchanges.newErrorId();
                LOG.warn("Delivering an event to workflow {} failed, error id {}", workflowId, errorId, cause);
                exchange.reply(500, HttpExchanges.internalError(errorId, cause));
                return;
            }
            if (outcome instanceof Delivery.Buffered || outcome instanceof Delivery.Started) {
                exchange.reply(200, StartOnEvent.body(outcome));
                return;
            }
            if (outcome instanceof Delivery.Elsewhere elsewhere) { // the owner's answer is the answer
                forwarding.forward(exchange, workflowId, elsewhere.owner());
                return;
            }
            if (outcome instanceof Delivery.Accepted accepted) {
                exchange.reply(
                        200,
                        acceptedBody(
                                accepted.earlier() ? RECORDED_EARLIER_PREFIX : ACCEPTED_PREFIX, accepted.eventId()));
                return;
            }
            ObjectNode body;
            int status;
            if (outcome instanceof Delivery.NotWaiting notWaiting) {
                status = notWaiting.reason() == Delivery.Reason.ALREADY_RECEIVED ? 409 : 404;
                body = HttpExchanges.error(
                        notWaiting.reason().name().toLowerCase(Locale.ROOT), notWaiting.message(), null);
            } else if (outcome instanceof Delivery.NotYetResumed starting) {
                // Never 404: Ray's client takes 404 as final, and this workflow is about to wait.
                body = HttpExchanges.error("not_yet_resumed", starting.message(), null);
                body.put("status", "starting");
                body.put("resumed", starting.resumed());
                body.put("total", starting.total());
                body.put("workflow_id", workflowId);
                body.put("event_key", eventKey);
                exchange.reply(503, Map.of("Retry-After", "1"), body);
                return;
            } else {
                Delivery.Failed failed = (Delivery.Failed) outcome;
                if (failed.busy()) { // the store's write queue is full: push back, nothing was recorded
                    body = HttpExchanges.error("store_busy", failed.message(), null);
                    body.put("workflow_id", workflowId);
                    body.put("event_key", eventKey);
                    exchange.reply(503, Map.of("Retry-After", "1"), body);
                    return;
                }
                status = 500;
                body = HttpExchanges.error("checkpoint_failed", failed.message(), null);
            }
            body.put("workflow_id", workflowId);
            body.put("event_key", eventKey);
            exchange.reply(status, body);
        }

        /** The common reply, written directly as bytes rather than through a tree: it is sent once per event. */
        private byte[] acceptedBody(byte[] prefix, String eventId) {
            if (needsNoEscape(workflowId) && needsNoEscape(eventKey) && needsNoEscape(eventId)) {
                // The usual ids: printable ASCII, copied as they are into one array of the exact size.
                byte[] body = new byte
                        [prefix.length
                                + workflowId.length()
                                + ACCEPTED_KEY.length
                                + eventKey.length()
                                + ACCEPTED_ID.length
                                + eventId.length()
                                + ACCEPTED_END.length];
                int at = put(body, 0, prefix);
                at = putAscii(body, at, workflowId);
                at = put(body, at, ACCEPTED_KEY);
                at = putAscii(body, at, eventKey);
                at = put(body, at, ACCEPTED_ID);
                at = putAscii(body, at, eventId);
                put(body, at, ACCEPTED_END);
                return body;
            }
            return concat(
                    prefix,
                    QUOTER.quoteAsUTF8(workflowId),
                    ACCEPTED_KEY,
                    QUOTER.quoteAsUTF8(eventKey),
                    ACCEPTED_ID,
                    QUOTER.quoteAsUTF8(eventId),
                    ACCEPTED_END);
        }
    }
}
