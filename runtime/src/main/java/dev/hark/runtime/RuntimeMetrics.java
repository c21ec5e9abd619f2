package dev.hark.runtime;

import dev.hark.runtime.storage.StoreStats;

/**
 * A snapshot of the runtime's load.
 *
 * @param activeWorkflows workflows executing or parked in this runtime
 * @param pendingTimers timers queued on the scheduler thread
 * @param inboxWaits waits registered in the inbox (HTTP events and other inbox users)
 * @param store the store's write and commit counters
 */
public record RuntimeMetrics(int activeWorkflows, int pendingTimers, int inboxWaits, StoreStats store) {}
