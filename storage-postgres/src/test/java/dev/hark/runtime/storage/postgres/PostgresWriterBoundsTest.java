package dev.hark.runtime.storage.postgres;

import dev.hark.runtime.storage.contract.StoreFixture;
import dev.hark.runtime.storage.contract.WriterBoundsContract;
import org.junit.jupiter.api.BeforeAll;

/** The writer-bounds contract on PostgreSQL. */
class PostgresWriterBoundsTest extends WriterBoundsContract {

    private static PostgresFixture fixture;

    @BeforeAll
    static void database() {
        fixture = new PostgresFixture(TestPostgres.freshDatabase());
    }

    @Override
    protected StoreFixture fixture() {
        return fixture;
    }
}
