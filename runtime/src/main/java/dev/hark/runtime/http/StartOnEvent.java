package dev.hark.runtime.http;

import dev.hark.runtime.concurrent.Futures;
import dev.hark.runtime.event.Delivery;
import dev.hark.workflow.internal.Json;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import tools.jackson.databind.node.ObjectNode;

/**
 * The start option of the event endpoint [R9.6, R9.7]:
 * {@code POST /event/send_event/{workflow_id}?start=<definition>}, with an optional body field
 * {@code "start_input"} (a JSON object, the definition's input; {@code {}} when absent). And the 200
 * bodies of the two outcomes that are not a checkpoint: {@code buffered} and {@code started}.
 */
final class StartOnEvent {

    /** A parsed start option. */
    sealed interface Request permits Start, Refusal {}

    record Start(String definition, Map<String, Object> input) implements Request {}

    /** The request was answered (400 or 403). */
    record Refusal() implements Request {}

    private StartOnEvent() {}

    /** @return null when the request has no start option; a {@link Refusal} when it was answered */
    @SuppressWarnings("unchecked")
    static Request parse(HttpCall exchange, Map<?, ?> json, EventSender sender) {
        String definition = startParameter(exchange.rawQuery());
        Object input = json.get("start_input");
        if (definition == null) {
            if (input != null) {
                exchange.reply(
                        400,
                        HttpExchanges.error(
                                "invalid_field",
                                "start_input is only meaningful with ?start=<definition>",
                                "start_input"));
                return new Refusal();
            }
            return null;
        }
        if (definition.isEmpty()) {
            exchange.reply(400, HttpExchanges.error("invalid_field", "start names no definition", "start"));
            return new Refusal();
        }
        if (input != null && !(input instanceof Map)) {
            exchange.reply(400, HttpExchanges.error("wrong_type", "start_input must be a JSON object", "start_input"));
            return new Refusal();
        }
        String refusal = sender.startRefusal(definition);
        if (refusal != null) {
            exchange.reply(403, HttpExchanges.error("start_not_allowed", refusal, "start"));
            return new Refusal();
        }
        return new Start(definition, input == null ? Map.of() : (Map<String, Object>) input);
    }

    static CompletableFuture<Delivery> send(
            EventSender sender,
            Request request,
            String workflowId,
            String eventKey,
            Object payload,
            String idempotencyKey) {
        Start start = (Start) request;
        CompletableFuture<Delivery> sent;
        try {
            sent = sender.sendOrStart(workflowId, eventKey, payload, idempotencyKey, start.definition(), start.input());
        } catch (IllegalArgumentException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        return sent.handle((delivery, failure) -> {
            Throwable cause = failure == null ? null : Futures.unwrap(failure);
            if (cause instanceof IllegalArgumentException refused) {
                throw new InputRefused(refused.getMessage(), refused);
            }
            if (failure != null) {
                throw failure instanceof CompletionException c ? c : new CompletionException(failure);
            }
            return delivery;
        });
    }

    /** The definition refused the {@code start_input} (400 {@code invalid_start_input}). */
    static final class InputRefused extends RuntimeException {
        InputRefused(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** @return the decoded value of the query's {@code start} parameter, or null */
    static String startParameter(String rawQuery) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return null;
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            if (name.equals("start")) {
                return eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    /** The 200 body of {@link Delivery.Buffered} or {@link Delivery.Started}. */
    static ObjectNode body(Delivery outcome) {
        Map<String, Object> body = new LinkedHashMap<>();
        if (outcome instanceof Delivery.Buffered buffered) {
            body.put("status", "buffered");
            body.put("workflow_id", buffered.workflowId());
            body.put("event_key", buffered.key());
            body.put("event_id", buffered.eventId());
            body.put("expires_at", buffered.expiresAt().toString());
            if (buffered.earlier()) {
                body.put("already_buffered", true);
            }
        } else {
            Delivery.Started started = (Delivery.Started) outcome;
            body.put("status", "started");
            body.put("workflow_id", started.workflowId());
            body.put("event_key", started.key());
            body.put("event_id", started.eventId());
            body.put("definition", started.definition());
            body.put("expires_at", started.expiresAt().toString());
        }
        return Json.MAPPER.valueToTree(body);
    }
}
