package dev.hark.runtime.storage.sqlite;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.hark.runtime.storage.EarlyEventOutcome;
import dev.hark.runtime.storage.EarlyEventRecord;
import dev.hark.runtime.storage.StoreWrite.CreateWorkflow;
import dev.hark.runtime.storage.WorkflowStore;
import dev.hark.runtime.storage.contract.EarlyEventContract;
import dev.hark.runtime.storage.contract.StoreFixture;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The early-event contract on SQLite, and the upgrade of a database from before early events. */
class EarlyEventStoreTest extends EarlyEventContract {

    @TempDir
    Path dir;

    @Override
    protected StoreFixture fixture() {
        return new SqliteFixture(dir);
    }

    private static EarlyEventRecord event(String workflow, String id, long expires) {
        return new EarlyEventRecord(workflow, "k", id, "\"" + id + "\"", 1, expires);
    }

    @Test
    void aVersion3DatabaseGainsTheTable() throws Exception {
        try (WorkflowStore store = open()) {
            store.write(new CreateWorkflow("w1", "{}", 1)).join();
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("hark.db"));
                Statement s = c.createStatement()) {
            s.execute("DROP TABLE early_events");
            s.execute("PRAGMA user_version = 3");
        }
        try (WorkflowStore store = open()) {
            assertEquals(
                    EarlyEventOutcome.BUFFERED,
                    store.bufferEarlyEvent(event("w1", "a", 10)).join());
        }
    }
}
