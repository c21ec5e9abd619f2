package dev.hark.runtime.storage.postgres;

import dev.hark.runtime.storage.contract.GroupCommitContract;

/** The group-commit contract on PostgreSQL. */
class PostgresGroupCommitTest extends GroupCommitContract {

    @Override
    protected PostgresFixture fixture() {
        return PostgresFixture.of(this);
    }
}
