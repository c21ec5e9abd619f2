package dev.hark.runtime.storage.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hark.runtime.storage.StorageException;
import dev.hark.runtime.storage.StoreHealth;
import dev.hark.runtime.storage.StoreWrite.CreateWorkflow;
import dev.hark.runtime.storage.StoreWrite.PutTask;
import dev.hark.runtime.storage.TaskRecord;
import dev.hark.runtime.storage.TaskState;
import dev.hark.runtime.storage.WorkflowStore;
import dev.hark.runtime.storage.contract.WorkflowStoreContract;
import dev.hark.workflow.WorkflowStatus;
import java.net.ServerSocket;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The store contract on PostgreSQL, and what only this store does: a value PostgreSQL refuses
 * fails only its own write, several nodes per database, clear errors for an unreachable server.
 */
class PostgresWorkflowStoreTest extends WorkflowStoreContract {

    @Override
    protected PostgresFixture fixture() {
        return PostgresFixture.of(this);
    }

    @Test
    void aValuePostgresRefusesFailsOnlyItsOwnWriteInTheBatch() throws Exception {
        store.write(new CreateWorkflow("w", "{}", 1)).join();
        CompletableFuture<Void> before;
        CompletableFuture<Void> refused;
        CompletableFuture<Void> after;
        try (AutoCloseable pause = pauseWriter(store)) {
            before = store.write(new PutTask("w", "a", TaskState.DONE, "1"));
            refused = store.write(new PutTask("w", "nul", TaskState.DONE, "\"a\u0000b\""));
            after = store.write(new CreateWorkflow("v", "{}", 1));
        }
        before.join();
        StorageException e = assertInstanceOf(StorageException.class, failureOf(refused));
        assertTrue(e.getMessage().contains("PutTask of workflow 'w'"), e.getMessage());
        assertTrue(e.getMessage().contains("cannot be stored"), e.getMessage());
        after.join();
        assertEquals(List.of(new TaskRecord("a", TaskState.DONE, "1")), store.tasks("w"));
        assertTrue(store.workflow("v").isPresent());
        assertEquals(StoreHealth.WRITABLE, store.health(), "a refused value is no failure of the database");
    }

    @Test
    void aLostConnectionFailsItsBatchAndTheStoreIsWritableAgainOnceAWriteCommits() throws Exception {
        store.write(new CreateWorkflow("w", "{}", 1)).join();
        PostgresWorkflowStore postgres = (PostgresWorkflowStore) store;
        int writerBackend = postgres.onWriter(c -> {
                    try (java.sql.Statement s = c.createStatement();
                            java.sql.ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
                        rs.next();
                        return rs.getInt(1);
                    }
                })
                .join();
        String database = fixture()
                .settings()
                .jdbcUrl()
                .substring(fixture().settings().jdbcUrl().lastIndexOf('/') + 1);
        try (java.sql.Connection admin = TestPostgres.server().connect(database);
                java.sql.Statement s = admin.createStatement()) {
            s.execute("SELECT pg_terminate_backend(" + writerBackend + ")");
        }

        StorageException lost = assertInstanceOf(
                StorageException.class, failureOf(store.write(new PutTask("w", "t", TaskState.DONE, "1"))));
        assertTrue(lost.getMessage().contains("Could not save 1 write"), lost.getMessage());
        StoreHealth failing = store.health();
        assertTrue(!failing.writable() && failing.reason().contains("connection"), failing.toString());
        assertEquals(List.of(), store.tasks("w"), "nothing of the failed batch was applied");

        store.write(new PutTask("w", "t", TaskState.DONE, "2")).join(); // on a new connection
        assertEquals(StoreHealth.WRITABLE, store.health());
        assertEquals(List.of(new TaskRecord("t", TaskState.DONE, "2")), store.tasks("w"));
    }

    @Test
    void aSecondNodeOpensBesideTheFirstAndSeesItsWorkflows() {
        store.write(new CreateWorkflow("w", "{}", 1)).join();
        try (WorkflowStore second =
                PostgresWorkflowStore.open(fixture().settings(), 100, 100, NodeSettings.defaults())) {
            assertEquals(
                    WorkflowStatus.RUNNING, second.workflow("w").orElseThrow().status());
            second.write(new CreateWorkflow("v", "{}", 1)).join();
            assertTrue(store.workflow("v").isPresent());
            long first = store.nodeLeases().orElseThrow().self().id();
            assertNotEquals(first, second.nodeLeases().orElseThrow().self().id(), "each opening is a node of its own");
        }
    }

    @Test
    void anUnreachableServerIsNamedInTheError() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        PostgresSettings nowhere = new PostgresSettings("jdbc:postgresql://127.0.0.1:" + port + "/hark", "hark", null);
        StorageException e = assertThrows(StorageException.class, () -> PostgresWorkflowStore.open(nowhere));
        assertTrue(e.getMessage().contains("127.0.0.1:" + port), e.getMessage());
        assertTrue(e.getMessage().contains("connection"), e.getMessage());
    }
}
