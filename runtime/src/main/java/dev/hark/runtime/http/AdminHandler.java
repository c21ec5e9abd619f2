package dev.hark.runtime.http;

import dev.hark.runtime.json.Json;
import dev.hark.runtime.workflow.UnknownWorkflowException;
import dev.hark.runtime.workflow.WorkflowExistsException;
import dev.hark.runtime.workflow.WorkflowIds;
import dev.hark.runtime.workflow.WorkflowStateException;
import dev.hark.runtime.workflow.WorkflowStatus;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The admin API, JSON in and out:
 *
 * <pre>
 * GET  /health                          200 {"status": "ok", ...}; 503 {"status": "starting", "resumed", "total", ...}
 *                                       while workflows are being re-parked after a restart
 * GET  /workflows[?status=RUNNING]      ids and statuses
 * POST /workflows                       {"definition": name, "workflow_id": optional, "input": optional object}
 * GET  /workflows/{id}                  status (and error, once FAILED)
 * GET  /workflows/{id}/output           output of a SUCCESSFUL workflow
 * POST /workflows/{id}/cancel           cancel
 * </pre>
 */
final class AdminHandler {

    static final String WORKFLOWS = "/workflows";
    static final String HEALTH = "/health";

    private static final Logger LOG = LoggerFactory.getLogger(AdminHandler.class);

    private final AdminOperations admin;

    AdminHandler(AdminOperations admin) {
        this.admin = admin;
    }

    /** @return whether {@code path} belongs to the admin API */
    static boolean serves(String path) {
        return path.equals(HEALTH) || path.equals(WORKFLOWS) || path.startsWith(WORKFLOWS + "/");
    }

    void handle(HttpCall exchange) {
        try {
            if (exchange.method().equals("POST") && !HttpExchanges.isJson(exchange.header("Content-Type"))) {
                // Every POST, even one without a body: a browser's form can send no other media type cross-site.
                throw new BadRequest(415, "unsupported_media_type", "send POSTs with Content-Type: application/json", null);
            }
            route(exchange);
        } catch (RuntimeException | LinkageError e) {
            failure(exchange, e);
        }
    }

    private void route(HttpCall exchange) {
        String path = exchange.path();
        String method = exchange.method();
        if (path.equals(HEALTH)) {
            requireMethod(exchange, "GET");
            Map<String, Object> health = admin.health();
            ObjectNode body = Json.MAPPER.valueToTree(health);
            if (AdminOperations.HEALTH_STARTING.equals(health.get("status"))) {
                // Up, but some workflows are not waiting for their events yet: keep traffic away.
                exchange.reply(503, Map.of("Retry-After", "1"), body);
            } else {
                body.put("status", AdminOperations.HEALTH_OK);
                exchange.reply(200, body);
            }
            return;
        }
        String[] parts = path.equals(WORKFLOWS) ? new String[0]
                : path.startsWith(WORKFLOWS + "/") ? path.substring(WORKFLOWS.length() + 1).split("/", -1) : null;
        if (parts == null || parts.length > 2) {
            exchange.reply(404, HttpExchanges.error("not_found", "no such endpoint: " + path, null));
            return;
        }
        if (parts.length == 0) {
            if (method.equals("POST")) {
                start(exchange);
            } else {
                requireMethod(exchange, "GET");
                list(exchange, exchange.rawQuery());
            }
            return;
        }
        String id = parts[0];
        String idProblem = WorkflowIds.problem(id, "workflow id");
        if (idProblem != null) {
            exchange.reply(400, HttpExchanges.error("invalid_workflow_id", idProblem, "workflow_id"));
            return;
        }
        String action = parts.length == 2 ? parts[1] : "";
        switch (action) {
            case "" -> {
                requireMethod(exchange, "GET");
                ObjectNode body = Json.MAPPER.createObjectNode();
                body.put("workflow_id", id);
                WorkflowStatus status = admin.status(id);
                body.put("status", status.name());
                if (status == WorkflowStatus.FAILED) {
                    admin.error(id).ifPresent(error -> body.put("error", error));
                }
                exchange.reply(200, body);
            }
            case "output" -> {
                requireMethod(exchange, "GET");
                ObjectNode body = Json.MAPPER.createObjectNode();
                body.put("workflow_id", id);
                body.set("output", Json.MAPPER.valueToTree(admin.output(id)));
                exchange.reply(200, body);
            }
            case "cancel" -> {
                requireMethod(exchange, "POST");
                admin.cancel(id);
                ObjectNode body = Json.MAPPER.createObjectNode();
                body.put("workflow_id", id);
                body.put("status", admin.status(id).name());
                exchange.reply(200, body);
            }
            default -> exchange.reply(404, HttpExchanges.error("not_found",
                    "no such endpoint: " + path + "; use " + WORKFLOWS + "/{id}, /output or /cancel", null));
        }
    }

    private void start(HttpCall exchange) {
        if (!HttpExchanges.isJson(exchange.header("Content-Type"))) {
            throw new BadRequest(415, "unsupported_media_type", "the body must be JSON with Content-Type: application/json", null);
        }
        byte[] bytes = exchange.body();
        JsonNode request;
        try {
            request = Json.MAPPER.readTree(bytes);
        } catch (JacksonException e) {
            throw new BadRequest(400, "malformed_json", "the body is not valid JSON: " + e.getOriginalMessage(), null);
        }
        if (request == null || !request.isObject()) {
            throw new BadRequest(400, "malformed_body", "the body must be a JSON object with \"definition\"", null);
        }
        JsonNode definition = request.get("definition");
        if (definition == null || !definition.isString()) {
            throw new BadRequest(400, "missing_field", "definition (a string naming a workflow definition) is missing",
                    "definition");
        }
        JsonNode id = request.get("workflow_id");
        if (id != null && !id.isNull() && !id.isString()) {
            throw new BadRequest(400, "wrong_type", "workflow_id must be a string", "workflow_id");
        }
        JsonNode input = request.get("input");
        if (input != null && !input.isNull() && !input.isObject()) {
            throw new BadRequest(400, "wrong_type", "input must be a JSON object", "input");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> inputMap = input == null || input.isNull() ? Map.of()
                : Json.MAPPER.treeToValue(input, Map.class);
        String workflowId = id == null || id.isNull() ? null : id.asString();
        admin.start(definition.asString(), workflowId, inputMap).whenComplete((startedId, failure) -> {
            if (failure != null) {
                failure(exchange, failure instanceof CompletionException && failure.getCause() != null
                        ? failure.getCause() : failure);
                return;
            }
            ObjectNode body = Json.MAPPER.createObjectNode();
            body.put("workflow_id", startedId);
            body.put("definition", definition.asString());
            body.put("status", WorkflowStatus.RUNNING.name());
            exchange.reply(201, Map.of("Location", WORKFLOWS + "/" + startedId), body);
        });
    }

    private void list(HttpCall exchange, String query) {
        Optional<WorkflowStatus> status = Optional.empty();
        if (query != null && !query.isEmpty()) {
            if (!query.startsWith("status=")) {
                throw new BadRequest(400, "invalid_query", "the only query parameter is status=<"
                        + Arrays.toString(WorkflowStatus.values()) + ">", "status");
            }
            String name = query.substring("status=".length()).toUpperCase(Locale.ROOT);
            try {
                status = Optional.of(WorkflowStatus.valueOf(name));
            } catch (IllegalArgumentException e) {
                throw new BadRequest(400, "invalid_field", "unknown status '" + name + "'; one of "
                        + Arrays.toString(WorkflowStatus.values()), "status");
            }
        }
        ObjectNode body = Json.MAPPER.createObjectNode();
        ArrayNode workflows = body.putArray("workflows");
        admin.list(status).forEach(w -> workflows.addObject().put("workflow_id", w.id()).put("status", w.status().name()));
        exchange.reply(200, body);
    }

    private static void requireMethod(HttpCall exchange, String method) {
        if (!exchange.method().equals(method)) {
            throw new BadRequest(405, "method_not_allowed", exchange.method() + " is not allowed here; use "
                    + method, null, Map.of("Allow", method));
        }
    }

    private static void failure(HttpCall exchange, Throwable e) {
        int status;
        String code;
        if (e instanceof BadRequest bad) {
            exchange.reply(bad.status, bad.headers, HttpExchanges.error(bad.code, bad.getMessage(), bad.field));
            return;
        } else if (e instanceof UnknownWorkflowException) {
            status = 404;
            code = "unknown_workflow";
        } else if (e instanceof AdminOperations.UnknownDefinitionException) {
            status = 404;
            code = "unknown_definition";
        } else if (e instanceof WorkflowExistsException) {
            status = 409;
            code = "workflow_exists";
        } else if (e instanceof WorkflowStateException) {
            status = 409;
            code = "wrong_status";
        } else if (e instanceof IllegalArgumentException) {
            status = 400;
            code = "invalid_request";
        } else {
            LOG.warn("admin request failed", e);
            status = 500;
            code = "internal_error";
        }
        exchange.reply(status, HttpExchanges.error(code, String.valueOf(e.getMessage()), null));
    }

    /** A request refused before it reached the runtime. */
    private static final class BadRequest extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final int status;
        private final String code;
        private final String field;
        private final Map<String, String> headers;

        BadRequest(int status, String code, String message, String field) {
            this(status, code, message, field, Map.of());
        }

        BadRequest(int status, String code, String message, String field, Map<String, String> headers) {
            super(message);
            this.status = status;
            this.code = code;
            this.field = field;
            this.headers = headers;
        }
    }
}
