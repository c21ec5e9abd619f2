package dev.hark.runtime.storage.postgres;

import dev.hark.runtime.storage.contract.EventClaimContract;

/** The claims contract on PostgreSQL. */
class PostgresEventClaimTest extends EventClaimContract {

    @Override
    protected PostgresFixture fixture() {
        return PostgresFixture.of(this);
    }
}
