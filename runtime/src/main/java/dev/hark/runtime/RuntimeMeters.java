package dev.hark.runtime;

import dev.hark.runtime.engine.Engine;
import dev.hark.runtime.metrics.HarkMetrics;
import dev.hark.runtime.storage.WorkflowStore;
import java.util.function.Supplier;

/**
 * The meters read from the runtime's own state at each scrape. Each reads a number the runtime
 * keeps in memory: none queries the store (a count of the workflows by status would scan the
 * workflows table, which has no status index on purpose).
 */
final class RuntimeMeters {

    private RuntimeMeters() {}

    static void register(HarkMetrics metrics, Engine engine, WorkflowStore store, Supplier<ResumeProgress> resume) {
        metrics.gauge(
                "hark.workflows.active",
                "Workflows running in this runtime: executing tasks or parked on waits",
                engine,
                Engine::activeCount);
        metrics.gauge("hark.timers.pending", "Timers queued on the scheduler thread", engine, Engine::pendingTimers);
        metrics.gauge(
                "hark.inbox.waits",
                "Waits registered in the inbox (HTTP events and other inbox users)",
                engine,
                Engine::inboxWaits);
        metrics.gauge(
                "hark.early.events.buffered",
                "Early events buffered until a wait takes them",
                engine,
                e -> e.earlyEvents().size());
        metrics.functionCounter(
                "hark.early.events.delivered",
                "Buffered early events delivered to a wait",
                () -> engine.earlyEvents().deliveredCount());
        metrics.functionCounter(
                "hark.early.events.dropped",
                "Buffered early events dropped: expired, or their workflow ended",
                () -> engine.earlyEvents().droppedCount());
        metrics.functionCounter(
                "hark.store.writes",
                "Writes the store applied",
                () -> store.stats().writes());
        metrics.functionCounter(
                "hark.store.commits",
                "Transactions the store committed, each one flush to disk",
                () -> store.stats().commits());
        metrics.gauge(
                "hark.resume.in.progress",
                "1 while workflows are being re-parked after a restart, else 0",
                resume,
                r -> r.get().resuming() ? 1 : 0);
        metrics.gauge(
                "hark.resume.workflows.resumed",
                "Workflows whose waits are parked again by the latest resumption",
                resume,
                r -> r.get().resumed());
        metrics.gauge(
                "hark.resume.workflows.covered",
                "Workflows the latest resumption covers (RESUMABLE when it began)",
                resume,
                r -> r.get().total());
    }
}
