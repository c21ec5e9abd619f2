/**
 * What the JDBC stores ({@code storage.sqlite}, and {@code storage.postgres} in its own module)
 * share where their logic is the same, such as the single writer's queue, batching and completion
 * ({@link dev.hark.runtime.storage.jdbc.SingleWriter}). Not API: public only so that a store in
 * another module can use it.
 */
package dev.hark.runtime.storage.jdbc;
