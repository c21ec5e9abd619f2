package dev.hark.runtime.storage.postgres;

import dev.hark.runtime.storage.contract.EarlyEventContract;

/** The early-event contract on PostgreSQL. */
class PostgresEarlyEventTest extends EarlyEventContract {

    @Override
    protected PostgresFixture fixture() {
        return PostgresFixture.of(this);
    }
}
