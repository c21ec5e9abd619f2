package dev.hark.runtime.storage.sqlite;

import dev.hark.runtime.storage.contract.WriterHold;

/** A {@link WriterHold} on the SQLite store's writer. */
final class WriterPause extends WriterHold {

    WriterPause(SqliteWorkflowStore store) throws InterruptedException {
        super(store::onWriter);
    }
}
