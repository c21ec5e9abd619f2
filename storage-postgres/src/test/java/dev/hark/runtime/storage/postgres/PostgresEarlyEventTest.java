package dev.hark.runtime.storage.postgres;

import dev.hark.runtime.storage.contract.EarlyEventContract;
import dev.hark.runtime.storage.contract.StoreFixture;
import org.junit.jupiter.api.BeforeAll;

/** The early-event contract on PostgreSQL. */
class PostgresEarlyEventTest extends EarlyEventContract {

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
