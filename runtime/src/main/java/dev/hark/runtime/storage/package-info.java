/**
 * The storage SPI: what the runtime persists (workflow definitions, task outputs, event
 * checkpoints and commit marks) and the durability contract a store must honour. The embedded
 * default lives in {@link dev.hark.runtime.storage.sqlite}; a shared store (PostgreSQL) can come
 * later through the same interface.
 */
package dev.hark.runtime.storage;
