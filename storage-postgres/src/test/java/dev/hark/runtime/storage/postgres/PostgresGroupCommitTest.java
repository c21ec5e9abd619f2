package dev.hark.runtime.storage.postgres;

import dev.hark.runtime.storage.contract.GroupCommitContract;
import dev.hark.runtime.storage.contract.StoreFixture;
import org.junit.jupiter.api.BeforeAll;

/** The group-commit contract on PostgreSQL. */
class PostgresGroupCommitTest extends GroupCommitContract {

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
