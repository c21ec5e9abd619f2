package dev.hark.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.hark.api.Event;
import dev.hark.api.EventListener;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.opentest4j.TestAbortedException;

/**
 * Calls a listener directly, without a runtime, the way the runtime would: polls and commits on the
 * kit's caller threads under the non-blocking and liveness bounds, so that a call that blocks or
 * returns nothing is reported under its rule instead of hanging the test.
 */
final class DirectCalls<A, E extends Event> {

    private final TckEnvironment<A, E> env;
    private final Publishing<A> source;
    private final Waiting waiting;

    DirectCalls(TckEnvironment<A, E> env, Publishing<A> source, Waiting waiting) {
        this.env = env;
        this.source = source;
        this.waiting = waiting;
    }

    /** Polls on a helper thread; a poll that does not return in time blocks, which L3.1 reports. */
    CompletionStage<E> pollOrAbort(EventListener<A, E> instance, A channel, DirectContext context) {
        A args = FreshListenerClassLoader.argumentsFor(instance, channel);
        Future<CompletionStage<E>> call = TckThreads.call(() -> instance.pollForEvent(args, context));
        try {
            CompletionStage<E> stage = call.get(env.settings().nonBlocking().toMillis(), TimeUnit.MILLISECONDS);
            if (stage == null) {
                fail("[L3.2] pollForEvent returned null; it must return a stage");
            }
            return stage;
        } catch (TimeoutException e) {
            // let a blocked poll go: publish something it can return, then give up on this test
            CompletableFuture.runAsync(() -> unblock(channel, context), TckThreads::run);
            throw new TestAbortedException("precondition L3.1 broken (pollForEvent blocks the calling thread); see"
                    + " required_L3_1_pollForEventReturnsWithoutBlocking");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } catch (ExecutionException e) {
            throw new AssertionError(
                    "[L3.2] pollForEvent threw " + e.getCause() + "; it must return a stage, completed"
                            + " exceptionally if the source failed",
                    e.getCause());
        }
    }

    /** Aborts a runtime test when a poll blocks: blocked workers cannot run, start or cancel workflows [L3.1]. */
    void pollReturnsOrAbort() {
        pollOrAbort(env.newInstance(), env.newChannel("returns"), env.context());
    }

    /** Publishes something a poll blocked on {@code channel} can return, so that its thread is let go. */
    void unblock(A channel, DirectContext context) {
        try {
            source.publish(channel, "unblock", DirectContext.publication(context.workflowId(), Duration.ofSeconds(1)));
        } catch (RuntimeException | AssertionError ignored) {
            // best effort
        }
    }

    /** @return the event a fresh instance polls from {@code channel} after (or, without a durable channel, while) publishing */
    E publishAndPoll(A channel, String payload, String rule) {
        DirectContext context = env.context();
        if (env.supports(Capability.DURABLE_CHANNEL)) {
            String id = source.publish(
                    channel,
                    payload,
                    DirectContext.publication(
                            context.workflowId(), env.settings().liveness()));
            E event = waiting.await(pollOrAbort(env.newInstance(), channel, context), rule, "a poll of " + channel);
            assertEquals(id, event.id(), "[" + rule + "] the poll returned another event than the one published");
            return event;
        }
        CompletionStage<E> stage = pollOrAbort(env.newInstance(), channel, context);
        source.publish(
                channel,
                payload,
                DirectContext.publication(context.workflowId(), env.settings().liveness()));
        return waiting.await(stage, rule, "a poll of " + channel);
    }

    /** Commits {@code event} through {@code instance} and waits for the commit to be done; anything else fails {@code rule}. */
    void commit(EventListener<A, E> instance, E event, String rule) {
        long liveness = env.settings().liveness().toMillis();
        DirectContext context = env.context();
        CompletionStage<Void> stage;
        try {
            stage = TckThreads.call(() -> instance.eventCheckpointed(event, context))
                    .get(liveness, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError(
                    "[" + rule + "] eventCheckpointed(" + event.id() + ") threw " + e.getCause(), e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw new AssertionError("[" + rule + "] eventCheckpointed(" + event.id() + ") did not return", e);
        }
        if (stage == null) {
            fail("[" + rule + "] eventCheckpointed returned null; it must return a stage [L4.3]");
        }
        try {
            stage.toCompletableFuture().get(liveness, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError(
                    "[" + rule + "] eventCheckpointed(" + event.id() + ") completed exceptionally: " + e.getCause(),
                    e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw new AssertionError(
                    "[" + rule + "] eventCheckpointed(" + event.id() + ") did not complete within " + liveness + " ms",
                    e);
        }
    }
}
