/**
 * The embedded default {@link dev.hark.runtime.storage.WorkflowStore}: one SQLite file,
 * {@code hark.db}, in the runtime's data folder.
 *
 * <p>The database runs in WAL mode with {@code synchronous=FULL}, so a committed transaction is
 * on disk. A single writer thread group-commits: every write queued while the previous commit was
 * being flushed goes into the next transaction, so many concurrent writers share one flush. Reads
 * use their own connections and never wait for the writer.
 *
 * <p>Open it with {@link dev.hark.runtime.storage.sqlite.SqliteWorkflowStore#open(java.nio.file.Path)}.
 */
package dev.hark.runtime.storage.sqlite;
