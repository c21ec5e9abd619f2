/**
 * The store contract: the behaviour every {@link dev.hark.runtime.storage.WorkflowStore} must show,
 * as abstract JUnit classes that each store's tests extend with a {@link
 * dev.hark.runtime.storage.contract.StoreFixture}. Shipped in hark-runtime's test jar, so stores in
 * other modules (PostgreSQL) run the same tests as the embedded SQLite store.
 */
package dev.hark.runtime.storage.contract;
