package dev.hark.runtime.http;

import dev.hark.runtime.cluster.OwnedElsewhereException;
import dev.hark.runtime.concurrent.Futures;
import dev.hark.runtime.storage.StoreBusyException;
import dev.hark.runtime.storage.WorkflowSummary;
import dev.hark.runtime.workflow.OpenWait;
import dev.hark.workflow.UnknownDefinitionException;
import dev.hark.workflow.UnknownWorkflowException;
import dev.hark.workflow.WorkflowExistsException;
import dev.hark.workflow.WorkflowIds;
import dev.hark.workflow.WorkflowStateException;
import dev.hark.workflow.WorkflowStatus;
import dev.hark.workflow.internal.Json;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.core.exc.StreamConstraintsException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The admin API, JSON in and out:
 *
 * <pre>
 * GET  /health                          200 {"status": "ok", "ready": true, ...}; 503 {"status": "starting" or
 *                                       "store_failing", "ready": false, "reason", ...} while not ready
 * GET  /health/live                     200 {"status": "live"} while the process serves
 * GET  /health/ready                    200 {"status": "ok"} when ready; 503 {"status", "reason"} while
 *                                       workflows are re-parked after a restart or the store refuses writes
 * GET  /workflows[?status=RUNNING][&limit=1000][&after=ID]
 *                                       one page of ids and statuses, ordered by id; "next" names the
 *                                       last id when more may follow (pass it as after=)
 * POST /workflows                       {"definition": name, "workflow_id": optional, "input": optional object}
 * GET  /workflows/{id}                  status, created_at, updated_at (its status's last change), and error,
 *                                       once FAILED; open waits while RUNNING or RESUMABLE; buffered_events
 *                                       while early events wait for its waits
 * GET  /workflows/{id}/output           output of a SUCCESSFUL workflow
 * GET  /workflows/{id}/graph            its nodes (id, kind, label, state, dependencies, the event a wait took)
 * POST /workflows/{id}/cancel           cancel
 * POST /workflows/{id}/resume           continue a RESUMABLE or FAILED workflow: 202, or 409 in another status
 *                                       (cancel, delete and resume of a workflow another node of the cluster
 *                                       runs are forwarded to that node, or 409 owned_elsewhere)
 * </pre>
 */
final class AdminHandler {

    static final String WORKFLOWS = "/workflows";
    static final String HEALTH = "/health";
    static final String LIVE = "/health/live";
    static final String READY = "/health/ready";
    /** Workflows per page of {@code GET /workflows} when no {@code limit} is given. */
    static final int DEFAULT_PAGE = 1_000;
    /** The largest {@code limit} of {@code GET /workflows}. */
    static final int MAX_PAGE = 10_000;

    private static final Logger LOG = LoggerFactory.getLogger(AdminHandler.class);

    private final AdminOperations admin;
    /** Where a change to a workflow that another node runs goes, or null: then 409 {@code owned_elsewhere}. */
    private final OwnerForwarding forwarding;

    AdminHandler(AdminOperations admin) {
        this(admin, null);
    }

    AdminHandler(AdminOperations admin, OwnerForwarding forwarding) {
        this.admin = admin;
        this.forwarding = forwarding;
    }

    /** @return whether {@code path} is a health probe, served without credentials on every server */
    static boolean isProbe(String path) {
        return path.equals(LIVE) || path.equals(READY);
    }

    /** @return whether {@code path} belongs to the admin API */
    static boolean serves(String path) {
        return path.equals(HEALTH)
                || path.equals(LIVE)
                || path.equals(READY)
                || path.equals(WORKFLOWS)
                || path.startsWith(WORKFLOWS + "/");
    }

    /** Threads that serve admin requests. */
    static final int THREADS = 2;
    /** Admin requests that may wait for a thread; one more is answered 503 with {@code Retry-After}. */
    static final int MAX_QUEUED = 1_000;

    /** @return the admin executor: {@link #THREADS} threads, at most {@link #MAX_QUEUED} requests waiting */
    static ExecutorService executor(ThreadFactory threads) {
        return new ThreadPoolExecutor(
                THREADS, THREADS, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(MAX_QUEUED), threads);
    }

    /** Hands {@code exchange} to {@code executor}, or answers 503 at once when its queue is full. */
    void submit(ExecutorService executor, HttpCall exchange) {
        if (LIVE.equals(exchange.path())) {
            handle(exchange); // answered at once, whatever waits for the admin threads
            return;
        }
        try {
            executor.execute(() -> handle(exchange));
        } catch (RejectedExecutionException e) {
            if (executor.isShutdown()) {
                exchange.reply(503, HttpExchanges.error("shutting_down", "the server is shutting down", null));
                return;
            }
            exchange.reply(
                    503,
                    Map.of("Retry-After", "1"),
                    HttpExchanges.error(
                            "admin_busy",
                            "too many admin requests are waiting (" + MAX_QUEUED + "); try again shortly",
                            null));
        }
    }

    void handle(HttpCall exchange) {
        try {
            if (exchange.method().equals("POST") && !HttpExchanges.isJson(exchange.header("Content-Type"))) {
                // Every POST, even one without a body: a browser's form can send no other media type cross-site.
                throw new BadRequest(
                        415, "unsupported_media_type", "send POSTs with Content-Type: application/json", null);
            }
            route(exchange);
        } catch (OwnedElsewhereException e) {
            if (forwarding != null && e.owner().address().isPresent()) {
                forwarding.forward(exchange, e.workflowId(), e.owner()); // the owner answers
            } else {
                exchange.reply(
                        409, HttpExchanges.error("owned_elsewhere", HttpExchanges.firstLine(e.getMessage()), null));
            }
        } catch (RuntimeException | LinkageError e) {
            failure(exchange, e);
        }
    }

    private void route(HttpCall exchange) {
        String path = exchange.path();
        String method = exchange.method();
        if (path.equals(LIVE)) {
            requireMethod(exchange, "GET");
            exchange.reply(200, Json.MAPPER.createObjectNode().put("status", "live"));
            return;
        }
        if (path.equals(HEALTH) || path.equals(READY)) {
            requireMethod(exchange, "GET");
            Map<String, Object> health = admin.health();
            ObjectNode body = Json.MAPPER.valueToTree(health);
            if (path.equals(READY)) {
                body = Json.MAPPER.createObjectNode();
                body.put("status", String.valueOf(health.get("status")));
                if (health.get("reason") != null) {
                    body.put("reason", String.valueOf(health.get("reason")));
                }
            }
            if (!AdminOperations.HEALTH_OK.equals(health.get("status"))) {
                // Up, but not ready: workflows not waiting for their events yet, or a store that
                // refuses writes. Keep traffic away until it is.
                exchange.reply(503, Map.of("Retry-After", "1"), body);
            } else {
                exchange.reply(200, body);
            }
            return;
        }
        String[] parts = path.equals(WORKFLOWS)
                ? new String[0]
                : path.startsWith(WORKFLOWS + "/")
                        ? path.substring(WORKFLOWS.length() + 1).split("/", -1)
                        : null;
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
                admin.times(id)
                        .ifPresent(
                                times -> body.put("created_at", times.created().toString())
                                        .put("updated_at", times.updated().toString()));
                if (status == WorkflowStatus.FAILED) {
                    // The store keeps the full text (stack trace included); a reply shows its first line.
                    admin.error(id).ifPresent(error -> body.put("error", HttpExchanges.firstLine(error)));
                }
                if (status == WorkflowStatus.RUNNING || status == WorkflowStatus.RESUMABLE) {
                    body.set("waits", waits(admin.openWaits(id)));
                }
                List<Map<String, Object>> buffered = admin.bufferedEvents(id);
                if (!buffered.isEmpty()) {
                    body.set("buffered_events", Json.MAPPER.valueToTree(buffered));
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
            case "graph" -> {
                requireMethod(exchange, "GET");
                exchange.reply(200, GraphJson.of(id, admin.status(id), admin.graph(id)));
            }
            case "resume" -> {
                requireMethod(exchange, "POST");
                admin.resume(id);
                ObjectNode body = Json.MAPPER.createObjectNode();
                body.put("workflow_id", id);
                body.put("status", admin.status(id).name());
                exchange.reply(202, Map.of("Location", WORKFLOWS + "/" + id), body);
            }
            default ->
                exchange.reply(
                        404,
                        HttpExchanges.error(
                                "not_found",
                                "no such endpoint: " + path + "; use " + WORKFLOWS
                                        + "/{id}, /output, /graph, /cancel or /resume",
                                null));
        }
    }

    private void start(HttpCall exchange) {
        if (!HttpExchanges.isJson(exchange.header("Content-Type"))) {
            throw new BadRequest(
                    415, "unsupported_media_type", "the body must be JSON with Content-Type: application/json", null);
        }
        byte[] bytes = exchange.body();
        JsonNode request;
        try {
            request = Json.INTAKE.readTree(bytes);
        } catch (StreamConstraintsException e) {
            throw new BadRequest(
                    400,
                    "too_deep",
                    "the body nests deeper than " + Json.MAX_INTAKE_DEPTH + " levels (the body object counts as one): "
                            + e.getOriginalMessage(),
                    "input");
        } catch (JacksonException e) {
            throw new BadRequest(400, "malformed_json", "the body is not valid JSON: " + e.getOriginalMessage(), null);
        }
        if (request == null || !request.isObject()) {
            throw new BadRequest(400, "malformed_body", "the body must be a JSON object with \"definition\"", null);
        }
        JsonNode definition = request.get("definition");
        if (definition == null || !definition.isString()) {
            throw new BadRequest(
                    400,
                    "missing_field",
                    "definition (a string naming a workflow definition) is missing",
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
        Map<String, Object> inputMap =
                input == null || input.isNull() ? Map.of() : Json.MAPPER.treeToValue(input, Map.class);
        String workflowId = id == null || id.isNull() ? null : id.asString();
        admin.start(definition.asString(), workflowId, inputMap).whenComplete((startedId, failure) -> {
            if (failure != null) {
                failure(exchange, Futures.unwrap(failure));
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
        int limit = DEFAULT_PAGE;
        String after = null;
        if (query != null && !query.isEmpty()) {
            for (String parameter : query.split("&")) {
                int eq = parameter.indexOf('=');
                String name = eq < 0 ? parameter : parameter.substring(0, eq);
                String value = eq < 0 ? "" : URLDecoder.decode(parameter.substring(eq + 1), StandardCharsets.UTF_8);
                switch (name) {
                    case "status" -> {
                        String upper = value.toUpperCase(Locale.ROOT);
                        try {
                            status = Optional.of(WorkflowStatus.valueOf(upper));
                        } catch (IllegalArgumentException e) {
                            throw new BadRequest(
                                    400,
                                    "invalid_field",
                                    "unknown status '" + value + "'; one of "
                                            + Arrays.toString(WorkflowStatus.values()),
                                    "status");
                        }
                    }
                    case "limit" -> {
                        try {
                            limit = Integer.parseInt(value);
                        } catch (NumberFormatException e) {
                            limit = -1;
                        }
                        if (limit < 1 || limit > MAX_PAGE) {
                            throw new BadRequest(
                                    400,
                                    "invalid_field",
                                    "limit must be a whole number from 1 to " + MAX_PAGE + "; was '" + value + "'",
                                    "limit");
                        }
                    }
                    case "after" -> after = value.isEmpty() ? null : value;
                    default ->
                        throw new BadRequest(
                                400,
                                "invalid_query",
                                "unknown query parameter '" + name
                                        + "'; use status=<" + Arrays.toString(WorkflowStatus.values()) + ">, limit=<1.."
                                        + MAX_PAGE + "> and after=<last id of the previous page>",
                                name);
                }
            }
        }
        // One more than asked for tells whether another page follows.
        List<WorkflowSummary> page = admin.list(status, after, limit + 1);
        ObjectNode body = Json.MAPPER.createObjectNode();
        ArrayNode workflows = body.putArray("workflows");
        int shown = Math.min(limit, page.size());
        for (int i = 0; i < shown; i++) {
            WorkflowSummary w = page.get(i);
            workflows
                    .addObject()
                    .put("workflow_id", w.id())
                    .put("status", w.status().name());
        }
        if (page.size() > limit) {
            body.put("next", page.get(limit - 1).id());
        } else {
            body.putNull("next");
        }
        exchange.reply(200, body);
    }

    private static void requireMethod(HttpCall exchange, String method) {
        if (!exchange.method().equals(method)) {
            throw new BadRequest(
                    405,
                    "method_not_allowed",
                    exchange.method() + " is not allowed here; use " + method,
                    null,
                    Map.of("Allow", method));
        }
    }

    private static void failure(HttpCall exchange, Throwable e) {
        int status;
        String code;
        if (e instanceof BadRequest bad) {
            exchange.reply(bad.status, bad.headers, HttpExchanges.error(bad.code, bad.getMessage(), bad.field));
            return;
        } else if (e instanceof StoreBusyException) {
            exchange.reply(
                    503,
                    Map.of("Retry-After", "1"),
                    HttpExchanges.error("store_busy", HttpExchanges.firstLine(e.getMessage()), null));
            return;
        } else if (e instanceof UnknownWorkflowException) {
            status = 404;
            code = "unknown_workflow";
        } else if (e instanceof UnknownDefinitionException) {
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
        } else if (e instanceof UnsupportedOperationException) {
            status = 501;
            code = "not_implemented";
        } else {
            // The stack trace goes to the server log only, under an id the reply names.
            String errorId = HttpExchanges.newErrorId();
            LOG.warn("admin request {} {} failed, error id {}", exchange.method(), exchange.path(), errorId, e);
            exchange.reply(500, HttpExchanges.internalError(errorId, e));
            return;
        }
        exchange.reply(
                status, HttpExchanges.error(code, HttpExchanges.firstLine(String.valueOf(e.getMessage())), null));
    }

    /** A request refused before it reached the runtime. */
    private static ArrayNode waits(List<OpenWait> open) {
        ArrayNode waits = Json.MAPPER.createArrayNode();
        for (OpenWait wait : open) {
            ObjectNode entry = waits.addObject();
            entry.put("task", wait.taskId());
            entry.put("listener", wait.listener());
            entry.set("args", wait.args());
            if (wait.deadline() != null) {
                entry.put("deadline", wait.deadline().toString());
            }
            if (wait.race() != null) {
                entry.put("race", wait.race());
            }
        }
        return waits;
    }

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
