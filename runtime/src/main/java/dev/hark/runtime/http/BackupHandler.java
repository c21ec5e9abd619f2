package dev.hark.runtime.http;

import dev.hark.workflow.internal.Json;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * {@code POST /admin/backup} {@code {"to": "/absolute/path/backup.db"}}: writes a consistent copy
 * of the store to a new file on the server's machine while it serves, and answers 200
 * {@code {"backup": path, "bytes": size}} once the copy is on disk. Everything acknowledged before
 * the request arrived is in it. 400 for a missing or relative path or a folder that does not exist, 409 when the file exists, 500
 * when the copy failed (nothing is left behind). Admin scope.
 */
final class BackupHandler {

    static final String PATH = "/admin/backup";

    private static final Logger LOG = LoggerFactory.getLogger(BackupHandler.class);

    private final AdminOperations admin;

    BackupHandler(AdminOperations admin) {
        this.admin = admin;
    }

    void handle(HttpCall call) {
        if (!call.method().equals("POST")) {
            call.reply(
                    405, Map.of("Allow", "POST"), HttpExchanges.error("method_not_allowed", "use POST " + PATH, null));
            return;
        }
        if (!HttpExchanges.isJson(call.header("Content-Type"))) {
            call.reply(
                    415,
                    HttpExchanges.error(
                            "unsupported_media_type", "send POSTs with Content-Type: application/json", null));
            return;
        }
        String to;
        try {
            JsonNode body = Json.MAPPER.readTree(call.body());
            to = body == null || !body.path("to").isString()
                    ? null
                    : body.path("to").asString();
        } catch (JacksonException e) {
            call.reply(
                    400, HttpExchanges.error("invalid_json", "the body is not JSON: " + e.getOriginalMessage(), null));
            return;
        }
        if (to == null || to.isBlank() || !Path.of(to).isAbsolute()) {
            call.reply(
                    400,
                    HttpExchanges.error(
                            "invalid_target",
                            "give the backup file as an absolute path on the server's machine: {\"to\": \"/…/hark-backup.db\"}",
                            "to"));
            return;
        }
        Path target = Path.of(to).normalize();
        try {
            long bytes = admin.backup(target);
            LOG.info("Backed up the store to {} ({} bytes)", target, bytes);
            call.reply(
                    200,
                    Json.MAPPER
                            .createObjectNode()
                            .put("backup", target.toString())
                            .put("bytes", bytes));
        } catch (FileAlreadyExistsException e) {
            call.reply(409, HttpExchanges.error("target_exists", target + " exists; choose a new file", "to"));
        } catch (NoSuchFileException e) {
            call.reply(
                    400,
                    HttpExchanges.error(
                            "invalid_target", target.getParent() + " does not exist on the server's machine", "to"));
        } catch (UnsupportedOperationException e) {
            call.reply(501, HttpExchanges.error("backup_unsupported", e.getMessage(), null));
        } catch (Exception e) {
            LOG.warn("Backing up the store to {} failed", target, e);
            call.reply(500, HttpExchanges.error("backup_failed", "the backup failed: " + e.getMessage(), null));
        }
    }
}
