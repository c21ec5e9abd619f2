/**
 * A {@link dev.hark.runtime.storage.WorkflowStore} on PostgreSQL: {@link
 * dev.hark.runtime.storage.postgres.PostgresWorkflowStore}. Its schema is created and upgraded by
 * numbered SQL files applied in order under an advisory lock; a single writer thread group-commits
 * many writes per transaction; event claims are a unique constraint. Several nodes share one
 * database: each opening of the store is a node ({@code PostgresNode})
 * with a lease it renews and a session lock that ends with its process; every write transaction
 * ends with a fence check, and a node takes over the running workflows of nodes that are gone.
 */
package dev.hark.runtime.storage.postgres;
