/**
 * What the JDBC stores ({@code storage.sqlite}, and {@code storage.postgres} in its own module)
 * share where their logic is the same: the single writer's queue, batching and completion
 * ({@link dev.hark.runtime.storage.jdbc.SingleWriter}), the reading of stored rows into records
 * ({@link dev.hark.runtime.storage.jdbc.StoredRows}), the early-event table's writer tasks
 * ({@link dev.hark.runtime.storage.jdbc.EarlyEventRows}) and the sweep of old claims
 * ({@link dev.hark.runtime.storage.jdbc.ClaimSweep}). Not API: public only so that a store in
 * another module can use it.
 */
package dev.hark.runtime.storage.jdbc;
