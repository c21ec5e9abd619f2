package dev.hark.runtime.storage.postgres;

import dev.hark.runtime.storage.contract.WriterBoundsContract;

/** The writer-bounds contract on PostgreSQL. */
class PostgresWriterBoundsTest extends WriterBoundsContract {

    @Override
    protected PostgresFixture fixture() {
        return PostgresFixture.of(this);
    }
}
