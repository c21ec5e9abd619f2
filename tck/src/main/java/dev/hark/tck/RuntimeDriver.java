package dev.hark.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hark.api.Event;
import dev.hark.runtime.WorkflowHandle;
import dev.hark.workflow.Dag;
import dev.hark.workflow.WorkflowStatus;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.opentest4j.TestAbortedException;

/**
 * Drives workflows that wait on the listener in a real runtime: warms the runtime up, cancels a
 * wait (bounded, since blocking polls can hold every worker), checks that an event published
 * after a wait was abandoned reaches the next one, and runs competing waits on one channel.
 */
final class RuntimeDriver<A, E extends Event> {

    private final TckEnvironment<A, E> env;
    private final Publishing<A> source;
    private final Waiting waiting;
    private final DirectCalls<A, E> direct;

    RuntimeDriver(TckEnvironment<A, E> env, Publishing<A> source, Waiting waiting, DirectCalls<A, E> direct) {
        this.env = env;
        this.source = source;
        this.waiting = waiting;
        this.direct = direct;
    }

    /**
     * Publishes into {@code channel} for {@code workflow} (before it starts, when the source holds
     * events, so that a wait left behind would see it first) and expects that workflow to get it.
     */
    void expectDeliveredAfter(
            TckRuntime runtime,
            A channel,
            String workflow,
            String rule,
            String situation,
            Supplier<Map<String, CompletableFuture<Object>>> restart)
            throws Exception {
        long liveness = env.settings().liveness().toMillis();
        boolean durable = env.supports(Capability.DURABLE_CHANNEL);
        String id = null;
        if (durable) {
            if (restart != null) {
                runtime.hark().close();
            }
            id = source.publish(channel, "after", runtime.publication(workflow));
            Thread.sleep(env.settings().settle().toMillis());
            String published = id;
            env.fixture()
                    .committed(channel)
                    .ifPresent(committed -> assertTrue(
                            !committed.contains(published),
                            () -> "["
                                    + rule + "] the source reports " + published
                                    + " committed although no wait checkpointed it ("
                                    + situation + "): the abandoned wait consumed it"));
        }
        CompletableFuture<?> output;
        if (restart != null) {
            output = restart.get()
                    .getOrDefault(
                            workflow,
                            CompletableFuture.failedFuture(new IllegalStateException(workflow + " was not resumable")));
        } else {
            output = runtime.start(env.listener(), channel, workflow).output();
        }
        CompletableFuture<String> published = durable
                ? CompletableFuture.completedFuture(id)
                : source.publishAsync(channel, "after", runtime.publication(workflow));
        String expected = id;
        E got;
        try {
            got = waiting.awaitOutput(output, rule, "");
        } catch (AssertionError e) {
            if (e.getCause() != null) {
                // the workflow failed: that is the finding (cause first), whatever the abandoned wait did
                throw Attribution.workflowFailed(rule, workflow, e.getCause(), "the event was published " + situation);
            }
            throw new AssertionError(
                    "[" + rule + "] the event " + (expected == null ? "" : expected + " ")
                            + "published " + situation + " never reached workflow " + workflow + " within "
                            + liveness + " ms: the abandoned wait consumed it",
                    e);
        }
        assertEquals(
                published.get(liveness, TimeUnit.MILLISECONDS),
                got.id(),
                "[" + rule + "] workflow " + workflow + " received another event than the one published " + situation);
    }

    /**
     * {@link #cancelBounded}, unless the workflow already finished: a source whose events come by
     * themselves (a timer's deadline) may end a wait before the kit cancels it on a busy machine.
     */
    void cancelUnlessFinished(TckRuntime runtime, String workflow) throws Exception {
        if (runtime.hark().status(workflow) != WorkflowStatus.SUCCESSFUL) {
            try {
                cancelBounded(runtime, workflow);
            } catch (AssertionError e) {
                if (runtime.hark().status(workflow) != WorkflowStatus.SUCCESSFUL) {
                    throw e;
                }
            }
        }
    }

    /** Cancels a workflow; a runtime whose worker threads are all held by blocking polls cannot, which L3.1 reports. */
    void cancelBounded(TckRuntime runtime, String workflow) throws Exception {
        long liveness = env.settings().liveness().toMillis();
        Future<?> cancel = TckThreads.call(() -> runtime.hark().cancel(workflow));
        try {
            cancel.get(liveness, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new TestAbortedException(
                    "precondition L3.1 broken (the runtime could not cancel " + workflow + " within "
                            + liveness + " ms: its worker threads are held by polls that block); see"
                            + " required_L3_1_pendingWaitsHoldNoThread");
        } catch (ExecutionException e) {
            throw new AssertionError(
                    "the runtime could not cancel workflow " + workflow + ": " + e.getCause(), e.getCause());
        }
    }

    /** One delivery and one plain task, so that the threads a runtime starts lazily are counted in a baseline. */
    void warmUp(TckRuntime runtime) throws Exception {
        long liveness = env.settings().liveness().toMillis();
        A channel = env.newChannel("warmup");
        String workflow = runtime.workflowId("warmup");
        WorkflowHandle<E> handle = runtime.start(env.listener(), channel, workflow);
        CompletableFuture<String> published = source.publishAsync(channel, "warm", runtime.publication(workflow));
        try {
            handle.output().get(liveness, TimeUnit.MILLISECONDS);
            published.get(liveness, TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            throw new TestAbortedException("precondition L3.6 broken (a published event did not reach its workflow);"
                    + " see required_L3_6_aPublishedEventReachesItsWaitWithinTheBound");
        }
        runtime.hark()
                .start(Dag.task(ListenerVerification.Probe::ping).bind(), runtime.workflowId("warmup-probe"))
                .output()
                .get(liveness, TimeUnit.MILLISECONDS);
    }

    /**
     * Several workflows wait on one channel at once while events are published before and during
     * their waits: each event must reach exactly one of them [L4.5, or L3.9 when {@code unshared}].
     */
    void competeOnOneChannel(boolean unshared) throws Exception {
        String why = unshared
                ? " (the listener is @UnsharedSource: each channel of its source is one wait's, so"
                        + " no waits compete on it [L3.9])"
                : "";
        env.requireOrAbort(Capability.MULTIPLE_EVENTS_PER_CHANNEL, why);
        env.requireOrAbort(Capability.DURABLE_CHANNEL, why);
        direct.pollReturnsOrAbort();
        TckRuntime runtime = env.runtime();
        A channel = env.newChannel("compete");
        int waits = Math.max(2, Math.min(env.settings().concurrentWaits(), 8));
        CompetingWaits competition =
                new CompetingWaits(env.listener(), unshared, env.settings().liveness());
        competition.run(
                waits,
                waits / 2,
                i -> runtime.workflowId("c" + (i + 1)),
                workflow -> runtime.start(env.listener(), channel, workflow)
                        .output()
                        .thenApply(e -> (Object) e),
                (payload, workflow) -> source.publishAsync(channel, payload, runtime.publication(workflow)));
        competition.check(CompetingWaits.sorted(env.fixture().committed(channel)));
    }
}
