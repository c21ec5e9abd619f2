package dev.hark.runtime.storage.postgres;

import dev.hark.runtime.storage.WorkflowStore;
import dev.hark.runtime.storage.contract.StoreFixture;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Opens the PostgreSQL store on one test database, for the store contract tests. */
record PostgresFixture(PostgresSettings settings) implements StoreFixture {

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
        return PostgresWorkflowStore.open(settings, maxBatch, queueCapacity, Duration.ofSeconds(10));
    }

    @Override
    public AutoCloseable pauseWriter(WorkflowStore store) throws InterruptedException {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Void> done = ((PostgresWorkflowStore) store).onWriter(c -> {
            entered.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return null;
        });
        if (!entered.await(10, TimeUnit.SECONDS)) {
            throw new AssertionError("writer did not pick up the pause");
        }
        return () -> {
            release.countDown();
            done.join();
        };
    }

    @Override
    public int sweepChunk() {
        return PostgresWorkflowStore.SWEEP_CHUNK;
    }
}
