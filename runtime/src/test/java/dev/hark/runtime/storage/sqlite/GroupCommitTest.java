package dev.hark.runtime.storage.sqlite;

import dev.hark.runtime.storage.contract.GroupCommitContract;
import dev.hark.runtime.storage.contract.StoreFixture;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The group-commit contract on SQLite. */
class GroupCommitTest extends GroupCommitContract {

    @TempDir
    Path dir;

    @Override
    protected StoreFixture fixture() {
        return new SqliteFixture(dir);
    }
}
