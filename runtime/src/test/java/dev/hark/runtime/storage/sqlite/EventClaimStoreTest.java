package dev.hark.runtime.storage.sqlite;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.hark.runtime.storage.EventClaim;
import dev.hark.runtime.storage.StoreWrite.CreateWorkflow;
import dev.hark.runtime.storage.StoreWrite.PutTask;
import dev.hark.runtime.storage.TaskState;
import dev.hark.runtime.storage.WorkflowStore;
import dev.hark.runtime.storage.contract.EventClaimContract;
import dev.hark.runtime.storage.contract.StoreFixture;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The claims contract on SQLite, and the upgrade of a database from before claims. */
class EventClaimStoreTest extends EventClaimContract {

    private static final EventClaim ORDER_7 = new EventClaim("com.acme.QueueListener", "orders#7");

    @TempDir
    Path dir;

    @Override
    protected StoreFixture fixture() {
        return new SqliteFixture(dir);
    }

    private static PutTask checkpoint(String workflow, String task, EventClaim... claims) {
        return new PutTask(workflow, task, TaskState.CHECKPOINTED, "{\"event\":\"" + task + "\"}", List.of(claims));
    }

    @Test
    void aVersion2DatabaseGainsTheClaimsTableOnOpen() throws Exception {
        try (WorkflowStore store = open()) {
            store.write(new CreateWorkflow("old", "{}", 1)).join();
        }
        try (Connection c =
                        DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(SqliteWorkflowStore.DB_FILE_NAME));
                Statement s = c.createStatement()) {
            s.execute("DROP TABLE event_claims");
            s.execute("PRAGMA user_version = 2");
        }
        try (WorkflowStore store = open()) {
            store.write(checkpoint("old", "wait", ORDER_7)).join();
            assertEquals("old", store.claim(ORDER_7).orElseThrow().workflowId());
        }
    }
}
