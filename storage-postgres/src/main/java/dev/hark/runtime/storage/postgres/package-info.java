/**
 * A {@link dev.hark.runtime.storage.WorkflowStore} on PostgreSQL: {@link
 * dev.hark.runtime.storage.postgres.PostgresWorkflowStore}. Its schema is created and upgraded by
 * numbered SQL files applied in order under an advisory lock; a single writer thread group-commits
 * many writes per transaction; event claims are a unique constraint. One node per database for
 * now: a store takes a session advisory lock that a second node finds held.
 */
package dev.hark.runtime.storage.postgres;
