package dev.hark.runtime.storage.postgres;

import dev.hark.runtime.storage.contract.EventClaimContract;
import dev.hark.runtime.storage.contract.StoreFixture;
import org.junit.jupiter.api.BeforeAll;

/** The claims contract on PostgreSQL. */
class PostgresEventClaimTest extends EventClaimContract {

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
