package dev.hark.runtime.storage.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hark.runtime.storage.StorageException;
import dev.hark.runtime.storage.StoreWrite.CreateWorkflow;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The schema's migrations: applied once on a fresh database, a no-op on reopen, once when nodes race. */
class PostgresMigrationTest {

    private static String database(PostgresSettings settings) {
        return settings.jdbcUrl().substring(settings.jdbcUrl().lastIndexOf('/') + 1);
    }

    private static List<Integer> versions(PostgresSettings settings) throws SQLException {
        try (Connection c = TestPostgres.server().connect(database(settings));
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT version FROM schema_version ORDER BY version")) {
            List<Integer> versions = new ArrayList<>();
            while (rs.next()) {
                versions.add(rs.getInt(1));
            }
            return versions;
        }
    }

    @Test
    void aFreshDatabaseGetsEveryMigrationAndAReopenAppliesNone() throws Exception {
        PostgresSettings db = TestPostgres.freshDatabase();
        try (PostgresWorkflowStore store = PostgresWorkflowStore.open(db)) {
            store.write(new CreateWorkflow("w", "{}", 1)).join();
        }
        assertEquals(List.of(1, 2), versions(db));
        try (Connection c = TestPostgres.server().connect(database(db))) {
            assertEquals(0, PostgresSchema.migrate(c, db.jdbcUrl()), "nothing left to apply");
        }
        try (PostgresWorkflowStore store = PostgresWorkflowStore.open(db)) {
            assertTrue(store.workflow("w").isPresent(), "the data survive a reopen");
        }
        assertEquals(List.of(1, 2), versions(db));
    }

    @Test
    void nodesMigratingAFreshDatabaseAtOnceApplyEachMigrationOnce() throws Exception {
        PostgresSettings db = TestPostgres.freshDatabase();
        int nodes = 4;
        CyclicBarrier start = new CyclicBarrier(nodes);
        ExecutorService pool = Executors.newFixedThreadPool(nodes);
        try {
            List<Future<Integer>> applied = new ArrayList<>();
            for (int i = 0; i < nodes; i++) {
                Callable<Integer> node = () -> {
                    try (Connection c = TestPostgres.server().connect(database(db))) {
                        start.await();
                        return PostgresSchema.migrate(c, db.jdbcUrl());
                    }
                };
                applied.add(pool.submit(node));
            }
            int total = 0;
            for (Future<Integer> f : applied) {
                total += f.get();
            }
            assertEquals(PostgresSchema.VERSION, total, "each migration applied by exactly one node");
        } finally {
            pool.shutdownNow();
        }
        assertEquals(List.of(1, 2), versions(db));
    }

    @Test
    void aDatabaseOfANewerHarkIsRefused() throws Exception {
        PostgresSettings db = TestPostgres.freshDatabase();
        try (PostgresWorkflowStore store = PostgresWorkflowStore.open(db)) {
            store.write(new CreateWorkflow("w", "{}", 1)).join();
        }
        try (Connection c = TestPostgres.server().connect(database(db));
                Statement s = c.createStatement()) {
            s.execute("INSERT INTO schema_version (version, script) VALUES (99, 'V99__future.sql')");
        }
        StorageException e = assertThrows(StorageException.class, () -> PostgresWorkflowStore.open(db));
        assertTrue(e.getMessage().contains("schema version 99"), e.getMessage());
        assertTrue(e.getMessage().contains("newer Hark"), e.getMessage());
    }

    @Test
    void everyMigrationFileIsListedInOrder() throws IOException, URISyntaxException {
        Path folder = Path.of(PostgresSchema.class.getResource("migrations").toURI());
        try (Stream<Path> files = Files.list(folder)) {
            List<String> names =
                    files.map(p -> p.getFileName().toString()).sorted().toList();
            assertEquals(PostgresSchema.MIGRATIONS, names);
        }
        for (int v = 1; v <= PostgresSchema.VERSION; v++) {
            assertTrue(PostgresSchema.MIGRATIONS.get(v - 1).startsWith("V" + v + "__"));
        }
    }
}
