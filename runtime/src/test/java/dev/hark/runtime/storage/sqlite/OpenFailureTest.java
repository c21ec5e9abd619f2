package dev.hark.runtime.storage.sqlite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hark.runtime.storage.StorageException;
import dev.hark.runtime.storage.StoreWrite.CreateWorkflow;
import dev.hark.runtime.storage.WorkflowSummary;
import dev.hark.workflow.WorkflowStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OpenFailureTest {

    @TempDir
    Path dir;

    private static boolean writerThreadAlive() {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().equals("hark-store-writer") && t.isAlive());
    }

    @Test
    void folderThatCannotBeCreatedNamesPathAndReason() throws Exception {
        Path file = Files.writeString(dir.resolve("not-a-folder"), "x");
        Path dataDir = file.resolve("data");
        StorageException e = assertThrows(StorageException.class, () -> SqliteWorkflowStore.open(dataDir));
        assertTrue(e.getMessage().contains(dataDir.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(file + " exists and is not a folder"), e.getMessage());
    }

    @Test
    void refusesANewerSchemaVersion() throws Exception {
        try (SqliteWorkflowStore store = SqliteWorkflowStore.open(dir)) {
            store.write(new CreateWorkflow("w", "{}", 1)).join();
        }
        execute("PRAGMA user_version = 99");
        StorageException e = assertThrows(StorageException.class, () -> SqliteWorkflowStore.open(dir));
        assertTrue(e.getMessage().contains("schema version 99"), e.getMessage());
        assertTrue(e.getMessage().contains("newer Hark"), e.getMessage());

        // Back to the known version: the data is intact, and the failed open left nothing behind.
        execute("PRAGMA user_version = " + SqliteSchema.VERSION);
        try (SqliteWorkflowStore store = SqliteWorkflowStore.open(dir)) {
            assertEquals(1, store.list(Optional.empty()).size());
        }
    }

    @Test
    void upgradesAVersion1DatabaseKeepingItsWorkflows() throws Exception {
        try (SqliteWorkflowStore store = SqliteWorkflowStore.open(dir)) {
            store.write(new CreateWorkflow("kept", "{}", 1)).join();
        }
        // what version 1 had on top of version 2's schema
        execute("CREATE INDEX workflows_by_status ON workflows(status, id)", "PRAGMA user_version = 1");

        try (SqliteWorkflowStore store = SqliteWorkflowStore.open(dir)) {
            assertEquals(
                    List.of("kept"),
                    store.list(Optional.of(WorkflowStatus.RUNNING)).stream()
                            .map(WorkflowSummary::id)
                            .toList());
        }
        try (Connection c = rawConnection();
                Statement s = c.createStatement()) {
            assertEquals(SqliteSchema.VERSION, SqliteSchema.userVersion(s));
            try (ResultSet rs =
                    s.executeQuery("SELECT count(*) FROM sqlite_master WHERE name = 'workflows_by_status'")) {
                assertEquals(0, rs.getInt(1), "the old status index is dropped");
            }
        }
    }

    @Test
    void refusesAFileThatIsNotADatabase() throws Exception {
        Files.writeString(
                dir.resolve("hark.db"), "this is not a database, just some text that is long enough".repeat(20));
        boolean aliveBefore = writerThreadAlive();
        StorageException e = assertThrows(StorageException.class, () -> SqliteWorkflowStore.open(dir));
        assertTrue(e.getMessage().contains("not a Hark database"), e.getMessage());
        assertTrue(e.getMessage().contains(dir.resolve("hark.db").toString()), e.getMessage());
        if (!aliveBefore) {
            assertFalse(writerThreadAlive(), "a failed open must not leave a writer thread");
        }
    }

    /** The database file opened directly, as another program would, bypassing the store. */
    private Connection rawConnection() throws SQLException {
        return DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("hark.db"));
    }

    private void execute(String... statements) throws SQLException {
        try (Connection c = rawConnection();
                Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        }
    }
}
