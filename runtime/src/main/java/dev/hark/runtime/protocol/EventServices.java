package dev.hark.runtime.protocol;

import dev.hark.runtime.metrics.HarkMetrics;
import dev.hark.runtime.storage.WorkflowStore;
import dev.hark.workflow.internal.ValueCodec;
import java.util.concurrent.Executor;

/**
 * What an event task needs from its runtime.
 *
 * @param executor runs protocol steps and listener calls; never the store's or the timer's thread
 * @param claims the claims this runtime's waits are checkpointing or committing
 * @param retryLog where the waits' failed attempts are logged, throttled per listener
 * @param metrics where the waits count and time what they do
 */
public record EventServices(
        WorkflowStore store,
        ValueCodec codec,
        Executor executor,
        TimerService timers,
        Inbox inbox,
        InFlightClaims claims,
        RetryLog retryLog,
        HarkMetrics metrics) {}
