package dev.hark.tck;

import dev.hark.api.Event;
import dev.hark.workflow.WorkflowStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * The crash schedules: generated lists of {@link Step}s, and the run of one schedule against the
 * listener in a real runtime that is crashed where each step says and restarted on the same storage.
 */
final class CrashSchedules<A, E extends Event> {

    private final TckEnvironment<A, E> env;
    private final Publishing<A> source;

    CrashSchedules(TckEnvironment<A, E> env, Publishing<A> source) {
        this.env = env;
        this.source = source;
    }

    /** @return schedules of 2 to {@code hark.tck.maxEvents} steps, each crashed at one of {@code points} */
    static Arbitrary<List<Step>> of(TckSettings settings, CrashPoint... points) {
        return Combinators.combine(
                        Arbitraries.of(true, false),
                        Arbitraries.of(points),
                        Arbitraries.integers().between(0, 20))
                .as(Step::new)
                .list()
                .ofMinSize(Math.min(2, settings.maxEvents()))
                .ofMaxSize(settings.maxEvents());
    }

    /**
     * Runs one schedule in a real runtime: one workflow per step, each waiting once on the channel
     * (a fresh channel per step when the source has one event per channel), crashed where the
     * step says and resumed on the same storage. After every step nothing unpublished and nothing
     * twice has reached a workflow; at the end every published event reached one exactly once.
     */
    void run(String rule, List<Step> schedule) throws Exception {
        long liveness = env.settings().liveness().toMillis();
        boolean shared = env.supports(Capability.MULTIPLE_EVENTS_PER_CHANNEL);
        Ledger ledger = new Ledger(rule, schedule);
        try (TckRuntime runtime = new TckRuntime(env.settings().liveness(), env.listener())) {
            A sharedChannel = shared ? env.newChannel("crash") : null;
            List<A> channels = new ArrayList<>();
            for (int i = 0; i < schedule.size(); i++) {
                channels.add(shared ? sharedChannel : env.newChannel("crash-" + i));
                ledger.plan(i, runtime.workflowId("w" + (i + 1)), schedule.get(i));
            }
            for (int i = 0; i < schedule.size(); i++) {
                if (schedule.get(i).publishAhead()) {
                    ledger.published(
                            i,
                            source.publish(
                                    channels.get(i),
                                    "ahead-" + i,
                                    runtime.publication(runtime.workflowId("w" + (i + 1)))));
                }
            }
            for (int i = 0; i < schedule.size(); i++) {
                Step step = schedule.get(i);
                A channel = channels.get(i);
                String workflow = runtime.workflowId("w" + (i + 1));
                CompletableFuture<CrashPoint> crash = runtime.store().arm(workflow, step.crash());
                CompletableFuture<Object> output = runtime.start(env.listener(), channel, workflow)
                        .output()
                        .thenApply(e -> e);
                CompletableFuture<String> published = step.publishAhead()
                        ? null
                        : source.publishAsync(channel, "after-start-" + i, runtime.publication(workflow));
                Object outcome;
                try {
                    outcome = CompletableFuture.anyOf(output, crash).get(liveness, TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    recordPublished(ledger, i, published);
                    ledger.noDelivery(i, liveness);
                    return;
                } catch (ExecutionException e) {
                    recordPublished(ledger, i, published);
                    ledger.workflowFailed(workflow, e.getCause());
                    return;
                }
                boolean restarted = false;
                if (outcome instanceof CrashPoint point) {
                    checkNothingCommittedBeforeCheckpoint(ledger, runtime, point, channel);
                    if (point == CrashPoint.INSIDE_COMMIT) {
                        Thread.sleep(step.delayMillis());
                    }
                    recordPublished(ledger, i, published);
                    ledger.note("step " + (i + 1) + ": runtime crashed at " + point + " of " + workflow + ", restarted"
                            + " (the listener's classes loaded anew: static fields empty, as in a new process)");
                    Map<String, CompletableFuture<Object>> resumed = runtime.crashAndRestart();
                    output = resumed.get(workflow);
                    if (output == null) {
                        // A crash after the commit mark may find the workflow already finished: the
                        // runtime queues its final status right behind the mark.
                        WorkflowStatus status = runtime.hark().status(workflow);
                        output = status == WorkflowStatus.SUCCESSFUL
                                ? CompletableFuture.completedFuture(
                                        runtime.hark().output(workflow))
                                : CompletableFuture.failedFuture(new IllegalStateException(workflow
                                        + " was neither resumable nor finished after the crash (" + status
                                        + "); resumable: " + resumed.keySet()));
                    }
                    restarted = true;
                }
                Object got;
                try {
                    got = output.get(liveness, TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    recordPublished(ledger, i, published);
                    ledger.noDelivery(i, liveness);
                    return;
                } catch (ExecutionException e) {
                    recordPublished(ledger, i, published);
                    ledger.workflowFailed(workflow, e.getCause());
                    return;
                }
                recordPublished(ledger, i, published);
                ledger.delivered(i, ((Event) got).id(), restarted);
                ledger.committed(i, env.fixture().committed(channel));
                ledger.checkStep();
            }
            ledger.checkComplete();
        }
    }

    private void recordPublished(Ledger ledger, int step, CompletableFuture<String> published) throws Exception {
        if (published != null) {
            try {
                ledger.published(step, published.get(env.settings().liveness().toMillis(), TimeUnit.MILLISECONDS));
            } catch (TimeoutException | ExecutionException e) {
                ledger.fail("publishing the event of step " + (step + 1) + " failed: " + e);
            }
        }
    }

    /** At a crash before eventCheckpointed ran, the source must not have committed the checkpointed event [L3.3]. */
    private void checkNothingCommittedBeforeCheckpoint(Ledger ledger, TckRuntime runtime, CrashPoint point, A channel) {
        if (point != CrashPoint.BEFORE_CHECKPOINT) {
            return;
        }
        String envelope = runtime.store().lastCheckpoint();
        Optional<Set<String>> committed = env.fixture().committed(channel);
        if (envelope == null || committed.isEmpty()) {
            return;
        }
        Event event = env.storedFormsOrAbort().readEvent(envelope);
        if (committed.get().contains(event.id())) {
            ledger.note("at the crash (" + point + ") the source already reported " + event.id() + " committed");
            throw new AssertionError(
                    "[L3.3] the source committed " + event.id() + " before eventCheckpointed was called"
                            + " (crash point " + point + "): the poll consumed it\n" + ledger.render());
        }
    }
}
