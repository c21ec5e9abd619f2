package dev.hark.runtime.storage.postgres;

import dev.hark.runtime.storage.WorkflowStore;
import dev.hark.runtime.storage.contract.StoreFixture;
import dev.hark.runtime.storage.contract.WriterHold;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Opens the PostgreSQL store on one test database, for the store contract tests. */
record PostgresFixture(PostgresSettings settings) implements StoreFixture {

    private static final Map<Class<?>, PostgresFixture> BY_TEST_CLASS = new ConcurrentHashMap<>();

    /** @return the fixture of {@code test}'s class: a fresh database, made on its first test */
    static PostgresFixture of(Object test) {
        return BY_TEST_CLASS.computeIfAbsent(test.getClass(), c -> new PostgresFixture(TestPostgres.freshDatabase()));
    }

    /** Empties Hark's tables, if the schema exists: each contract test starts from an empty store. */
    @Override
    public void reset() {
        String database = settings.jdbcUrl().substring(settings.jdbcUrl().lastIndexOf('/') + 1);
        try (Connection c = TestPostgres.server().connect(database);
                Statement s = c.createStatement()) {
            s.execute("DO $$ BEGIN IF to_regclass('workflows') IS NOT NULL THEN"
                    + " TRUNCATE workflows, tasks, event_claims, early_events RESTART IDENTITY; END IF; END $$");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot empty the test database", e);
        }
    }

    @Override
    public WorkflowStore open() {
        return PostgresWorkflowStore.open(settings);
    }

    @Override
    public WorkflowStore open(int maxBatch, int queueCapacity) {
        return PostgresWorkflowStore.open(settings, maxBatch, queueCapacity, NodeSettings.defaults());
    }

    @Override
    public AutoCloseable pauseWriter(WorkflowStore store) throws InterruptedException {
        return new WriterHold(((PostgresWorkflowStore) store)::onWriter);
    }

    @Override
    public int sweepChunk() {
        return PostgresWorkflowStore.SWEEP_CHUNK;
    }
}
