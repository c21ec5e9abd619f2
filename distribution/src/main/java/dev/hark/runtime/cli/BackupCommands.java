package dev.hark.runtime.cli;

import dev.hark.runtime.storage.StorageException;
import dev.hark.runtime.storage.sqlite.SqliteBackups;
import dev.hark.runtime.storage.sqlite.SqliteWorkflowStore;
import dev.hark.workflow.internal.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;

/** Backing up a running server's store, and restoring a backup into a data folder. */
final class BackupCommands {

    /** How long {@code hark backup} waits for the server to write the copy. */
    static final Duration BACKUP_TIMEOUT = Duration.ofMinutes(30);

    private BackupCommands() {}

    @Command(
            name = "backup",
            mixinStandardHelpOptions = true,
            description = {
                "Back up a running server's store to a new file, consistently, while it serves: everything it"
                        + " acknowledged before the command is in the backup.",
                "The server writes the file (SQLite's VACUUM INTO), so FILE is a path on the server's machine."
            })
    static final class Backup extends WorkflowCommands.ClientCommand {
        @Option(
                names = "--to",
                required = true,
                paramLabel = "FILE",
                description = "The backup file to create; never overwritten. A relative path is resolved against"
                        + " this directory.")
        Path to;

        @Override
        public Integer call() {
            Path target = to.toAbsolutePath().normalize();
            return run(() -> {
                JsonNode done = client().post(
                                "/admin/backup",
                                Json.MAPPER.createObjectNode().put("to", target.toString()),
                                BACKUP_TIMEOUT);
                out().println("Backed up to " + done.get("backup").asString() + " ("
                        + done.get("bytes").asLong() + " bytes)");
            });
        }
    }

    @Command(
            name = "restore",
            mixinStandardHelpOptions = true,
            description = {
                "Restore a backup made by hark backup into a data folder, for hark serve --data DIR.",
                "Refused while a server holds the folder, and when the folder has a store already."
            })
    static final class Restore implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--from", required = true, paramLabel = "FILE", description = "The backup file.")
        Path from;

        @Option(
                names = "--data",
                required = true,
                paramLabel = "DIR",
                description = "The data folder to restore into; created if missing, must have no store.")
        Path data;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            try {
                SqliteBackups.restore(from, data);
            } catch (IllegalArgumentException | IllegalStateException | StorageException | IOException e) {
                err.println("hark: cannot restore: " + e.getMessage());
                err.flush();
                return ExitCodes.REFUSED;
            }
            out.println("Restored " + from + " into " + data.resolve(SqliteWorkflowStore.DB_FILE_NAME)
                    + "; serve it with: hark serve --data " + data);
            out.flush();
            return ExitCodes.OK;
        }
    }
}
