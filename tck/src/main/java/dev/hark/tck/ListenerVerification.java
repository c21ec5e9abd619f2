package dev.hark.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.hark.api.Event;
import dev.hark.api.EventListener;
import dev.hark.api.UnsharedSource;
import dev.hark.runtime.WorkflowHandle;
import dev.hark.workflow.Dag;
import dev.hark.workflow.internal.ListenerType;
import dev.hark.workflow.internal.ValueCodec;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AfterProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

/**
 * The conformance kit for one listener. Extend it in your test sources, name the listener and
 * supply a {@link SourceFixture}:
 *
 * <pre>{@code
 * class QueueListenerVerificationTest extends ListenerVerification<String, QueueEvent> {
 *     protected Class<QueueListener> listener() { return QueueListener.class; }
 *     protected SourceFixture<String> createFixture() { return new QueueFixture(); }
 * }
 * }</pre>
 *
 * <p>Every test is named after the rule of {@code docs/SPEC.md} it checks:
 * {@code required_L<rule>_…} for a MUST, {@code optional_L<rule>_…} for a SHOULD. A failure message
 * starts with the rule, e.g. {@code [L4.4] …}. A test that needs a capability the fixture declares
 * unsupported, or that cannot judge its rule because the listener breaks another one first
 * (a precondition), is reported as skipped (aborted) with the reason, never as passed.
 *
 * <p>The runtime tests run the listener in a real runtime that loads the listener's class anew
 * (and anew at every restart), so state kept in {@code static} fields does not survive a crash;
 * the fixture's source is shared. A failure names the rule its evidence points to, which may be
 * another test's rule (a duplicate seen by an L3.3 schedule is reported as {@code [L4.4]}; a
 * workflow the runtime failed, under the rule its cause cites).
 *
 * <p>Plain tests run on JUnit Jupiter; the crash-schedule properties run on jqwik. Knobs: see
 * {@link TckSettings}.
 *
 * @param <A> the listener's argument type
 * @param <E> the listener's event type
 */
@DisplayNameGeneration(DisplayNameGenerator.Standard.class)
public abstract class ListenerVerification<A, E extends Event> {

    private static final AtomicLong NAMES = new AtomicLong();
    private static final ExecutorService CALLER = Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "hark-tck-caller");
        thread.setDaemon(true);
        return thread;
    });
    private static final List<String> PAYLOADS = List.of(
            "plain",
            "",
            "ünïcødé ✓ 日本",
            "quote \" backslash \\ tab \t",
            "{\"looks\": [\"like\", \"json\"]}",
            "x".repeat(300));

    private final TckSettings settings = TckSettings.current();
    /** Set by {@link TckPropertyHook} when a property cannot run here; it is then reported aborted. */
    volatile boolean skipProperties;

    private SourceFixture<A> fixture;
    private final List<DirectContext> contexts = new ArrayList<>();
    private final List<AutoCloseable> runtimes = new ArrayList<>();

    /** @return the listener under test */
    protected abstract Class<? extends EventListener<A, E>> listener();

    /** @return a fresh fixture for the listener's source; called at most once per test */
    protected abstract SourceFixture<A> createFixture() throws Exception;

    /** @return the settings in force for this run */
    protected TckSettings settings() {
        return settings;
    }

    protected final SourceFixture<A> fixture() {
        if (fixture == null) {
            try {
                fixture = createFixture();
            } catch (Exception e) {
                throw new IllegalStateException("createFixture() failed: " + e, e);
            }
        }
        return fixture;
    }

    @AfterEach
    @AfterProperty
    public void releaseTckResources() throws Exception {
        contexts.forEach(DirectContext::cancel);
        contexts.clear();
        for (AutoCloseable runtime : runtimes) {
            runtime.close();
        }
        runtimes.clear();
        if (fixture != null) {
            fixture.close();
            fixture = null;
        }
    }

    // ---------------------------------------------------------------- 1. Definition

    @Test
    public void required_L1_2_hasAPublicNoArgConstructor() {
        Class<?> type = listener();
        try {
            type.getConstructor().newInstance();
        } catch (NoSuchMethodException e) {
            fail("[L1.2] " + type.getName() + " has no public no-argument constructor; the runtime creates every"
                    + " instance with it. Fix: add `public " + type.getSimpleName() + "() {}`");
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            fail(
                    "[L1.2/L1.7] " + type.getName() + " cannot be created with its public no-argument constructor: "
                            + e,
                    e);
        }
        try {
            ListenerType.of(type);
        } catch (IllegalArgumentException e) {
            fail("[L1.2] " + e.getMessage(), e);
        }
    }

    @Test
    public void required_L1_3_isRegisteredAsAService() throws IOException {
        String service = "META-INF/services/" + EventListener.class.getName();
        List<String> entries = new ArrayList<>();
        Enumeration<URL> files = listener().getClassLoader().getResources(service);
        while (files.hasMoreElements()) {
            URL url = files.nextElement();
            try (BufferedReader reader =
                    new BufferedReader(new InputStreamReader(url.openStream(), StandardCharsets.UTF_8))) {
                reader.lines()
                        .map(line -> line.replaceAll("#.*", "").trim())
                        .filter(line -> !line.isEmpty())
                        .forEach(entries::add);
            }
        }
        assertTrue(
                entries.contains(listener().getName()),
                () -> "[L1.3] " + listener().getName()
                        + " is not registered: no " + service + " on its class path names it (entries found: " + entries
                        + "). Fix: add the class name as a line of that file in the listener's jar");
    }

    @Test
    public void required_L1_4_argumentsSurviveAJacksonRoundTrip() {
        ListenerType type = typeOrAbort();
        ValueCodec codec = new ValueCodec(listener().getClassLoader());
        for (int i = 0; i < 3; i++) {
            A args = newChannel("args");
            Object copy;
            try {
                copy = codec.decode(codec.encode(args, type.argsType()), type.argsType());
            } catch (RuntimeException e) {
                throw new AssertionError("[L1.4] arguments " + args + " do not survive a Jackson round trip: " + e, e);
            }
            assertEquals(args, copy, "[L1.4] arguments read back from JSON are not equal to the original");
        }
    }

    @Test
    public void required_L1_5_eventsSurviveAJacksonRoundTripWithTheSameId() {
        instantiableOrAbort();
        for (String payload : PAYLOADS) {
            A channel = newChannel("roundtrip");
            E event = publishAndPollDirect(channel, payload, "L1.5");
            E copy;
            try {
                copy = roundTrip(event);
            } catch (RuntimeException e) {
                throw new AssertionError("[L1.5] event " + event + " does not survive a Jackson round trip: " + e, e);
            }
            assertEquals(
                    event.id(),
                    copy.id(),
                    () -> "[L1.5] the event's id() changed in a Jackson round trip: " + event + " has id " + event.id()
                            + ", the copy read back " + copy + " has id " + copy.id());
            assertEquals(
                    event,
                    copy,
                    () -> "[L1.5] the event read back from JSON is not equals() to the original: " + event + " vs "
                            + copy);
        }
    }

    // ---------------------------------------------------------------- 2. Statelessness

    @Test
    public void required_L2_1_hasNoNonFinalInstanceFields() {
        List<String> offenders = new ArrayList<>();
        for (Class<?> c = listener(); c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field field : c.getDeclaredFields()) {
                int modifiers = field.getModifiers();
                if (!Modifier.isStatic(modifiers) && !Modifier.isFinal(modifiers) && !field.isSynthetic()) {
                    offenders.add(c.getSimpleName() + "." + field.getName());
                }
            }
        }
        assertTrue(
                offenders.isEmpty(),
                () -> "[L2.1] " + listener().getName() + " has non-final instance field(s) "
                        + offenders + "; a listener holds no state between calls. Fix: make them final references to"
                        + " clients or resources, or keep state at the source");
    }

    @Test
    public void required_L2_2_aFreshInstanceBehavesTheSame() {
        instantiableOrAbort();
        if (!supports(Capability.DURABLE_CHANNEL)) {
            // without redelivery: a used instance must still serve a new channel like a fresh one
            EventListener<A, E> used = newInstance();
            for (int i = 0; i < 2; i++) {
                A channel = newChannel("fresh");
                DirectContext context = context();
                CompletionStage<E> stage = pollOrAbort(used, channel, context);
                String id =
                        publish(channel, "p" + i, DirectContext.publication(context.workflowId(), settings.liveness()));
                E got = await(stage, "L2.2", "a second poll on the same instance, channel " + channel);
                assertEquals(
                        id,
                        got.id(),
                        "[L2.2] an instance used before delivered a different event than a fresh one would");
            }
            return;
        }
        A channel = newChannel("fresh");
        String first = publish(channel, "one", DirectContext.publication("tck-direct", settings.liveness()));
        E byFresh = await(pollOrAbort(newInstance(), channel, context()), "L2.2", "a poll of a fresh instance");
        Optional<E> byOtherFresh = awaitMaybe(pollOrAbort(newInstance(), channel, context()), settings.liveness());
        if (byOtherFresh.isEmpty() || !byOtherFresh.get().id().equals(byFresh.id())) {
            throw new TestAbortedException("precondition L3.3 broken (fresh instances do not redeliver an uncommitted"
                    + " event); L2.2 cannot be judged — see required_L3_3_pollDoesNotConsumeTheEvent");
        }
        EventListener<A, E> used = newInstance();
        E once = await(pollOrAbort(used, channel, context()), "L2.2", "a first poll of instance X");
        Optional<E> twice = awaitMaybe(pollOrAbort(used, channel, context()), settings.liveness());
        assertTrue(
                twice.isPresent() && twice.get().id().equals(once.id()),
                () -> "[L2.2] polled again without a"
                        + " commit, a fresh instance redelivers " + byFresh.id()
                        + ", but the instance that had polled before"
                        + " returned "
                        + twice.map(Event::id)
                                .orElse("nothing within " + settings.liveness().toMillis() + " ms")
                        + ": something the instance holds changed its behaviour");
        if (supports(Capability.MULTIPLE_EVENTS_PER_CHANNEL)) {
            commitDirect(newInstance(), roundTrip(byFresh), "L2.2");
            String second = publish(channel, "two", DirectContext.publication("tck-direct", settings.liveness()));
            Optional<E> byFreshAfterCommit =
                    awaitMaybe(pollOrAbort(newInstance(), channel, context()), settings.liveness());
            if (byFreshAfterCommit.isEmpty() || !byFreshAfterCommit.get().id().equals(second)) {
                throw new TestAbortedException(
                        "precondition L4.4 broken (after a commit a fresh instance does not get"
                                + " the next event); L2.2 cannot be judged — see required_L4_4_aCommittedEventIsNeverDeliveredAgain");
            }
            Optional<E> next = awaitMaybe(pollOrAbort(used, channel, context()), settings.liveness());
            assertTrue(
                    next.isPresent() && next.get().id().equals(second),
                    () -> "[L2.2] after " + first
                            + " was committed a fresh instance gets " + second + ", the instance used before returned "
                            + next.map(Event::id).orElse("nothing"));
        }
    }

    /**
     * A listener's classes loaded anew (as in a new process: empty static fields) must see the same
     * source as the classes loaded before: redeliver what is uncommitted, and not redeliver what was
     * committed. A listener that keeps deliveries or commits in static fields in place of its
     * source passes every test in one JVM and duplicates or loses events after a real crash.
     */
    @Test
    public void required_L2_2_aListenerLoadedAnewBehavesTheSame() {
        instantiableOrAbort();
        requireOrAbort(Capability.DURABLE_CHANNEL);
        A channel = newChannel("reloaded");
        String first = publish(channel, "one", DirectContext.publication("tck-direct", settings.liveness()));
        ListenerGeneration<A, E> before = new ListenerGeneration<>(listener());
        E seen = await(pollOrAbort(before.instance(), channel, context()), "L2.2", "a poll of " + channel);
        if (!seen.id().equals(first)) {
            throw new TestAbortedException("precondition L3.6 broken (a poll got " + seen.id() + ", not the published "
                    + first + "); see required_L3_6_aPublishedEventReachesItsWaitWithinTheBound");
        }
        EventListener<A, E> anew = new ListenerGeneration<A, E>(listener()).instance();
        Optional<E> byNew = awaitMaybe(pollOrAbort(anew, channel, context()), settings.liveness());
        if (byNew.isEmpty() || !byNew.get().id().equals(first)) {
            Optional<E> bySame = awaitMaybe(pollOrAbort(before.instance(), channel, context()), settings.liveness());
            if (bySame.isEmpty() || !bySame.get().id().equals(first)) {
                throw new TestAbortedException("precondition L3.3 broken (no redelivery of an uncommitted event); L2.2"
                        + " cannot be judged — see required_L3_3_pollDoesNotConsumeTheEvent");
            }
            fail("[L2.2] " + first + " was polled but not committed: a new instance of the classes that polled it gets"
                    + " it again, but the listener's classes loaded anew (as after a restart: static fields empty) got "
                    + byNew.map(Event::id)
                            .orElse("nothing within " + settings.liveness().toMillis() + " ms")
                    + ". The redelivery depends on static state, not on the source: after a crash before the checkpoint"
                    + " the event is lost [L3.3]. Keep what must survive at the source");
        }
        if (!supports(Capability.MULTIPLE_EVENTS_PER_CHANNEL)) {
            return;
        }
        commitDirect(before.instance(), before.roundTrip(seen), "L2.2");
        String second = publish(channel, "two", DirectContext.publication("tck-direct", settings.liveness()));
        EventListener<A, E> third = new ListenerGeneration<A, E>(listener()).instance();
        Optional<E> afterCommit = awaitMaybe(pollOrAbort(third, channel, context()), settings.liveness());
        if (afterCommit.isPresent() && afterCommit.get().id().equals(second)) {
            return;
        }
        Optional<E> bySame = awaitMaybe(pollOrAbort(before.instance(), channel, context()), settings.liveness());
        if (bySame.isEmpty() || !bySame.get().id().equals(second)) {
            throw new TestAbortedException(
                    "precondition L4.4 broken (after a commit the next poll does not get the next"
                            + " event); L2.2 cannot be judged — see required_L4_4_aCommittedEventIsNeverDeliveredAgain");
        }
        fail("[L2.2] after eventCheckpointed completed for " + first
                + ", a new instance of the classes that committed it"
                + " gets " + second
                + ", but the listener's classes loaded anew (as after a restart: static fields empty)"
                + " got "
                + afterCommit
                        .map(Event::id)
                        .orElse("nothing within " + settings.liveness().toMillis() + " ms")
                + ". The commit lives in static state, not at the source: after a crash the source delivers " + first
                + " again [L4.4]. Complete eventCheckpointed's stage only once the source has forgotten the event");
    }

    // ---------------------------------------------------------------- 3. Polling

    @Test
    public void required_L3_1_pollForEventReturnsWithoutBlocking() {
        instantiableOrAbort();
        A channel = newChannel("nonblocking");
        DirectContext context = context();
        EventListener<A, E> instance = newInstance();
        Future<CompletionStage<E>> call = CALLER.submit(() -> instance.pollForEvent(channel, context));
        try {
            call.get(settings.nonBlocking().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            unblock(channel, context);
            fail("[L3.1] pollForEvent did not return within "
                    + settings.nonBlocking().toMillis() + " ms while no"
                    + " event was available: it blocks the calling thread. Return an incomplete stage and complete"
                    + " it from the source's callback or from context.timerAt(...)\n" + stackOf("hark-tck-caller"));
        } catch (InterruptedException | ExecutionException e) {
            throw new AssertionError("[L3.1] pollForEvent threw " + e.getCause(), e.getCause());
        }
    }

    @Test
    public void required_L3_1_pendingWaitsHoldNoThread() throws Exception {
        instantiableOrAbort();
        TckRuntime runtime = runtime();
        warmUp(runtime);
        int baseline = liveThreads();
        int waits = settings.concurrentWaits();
        for (int i = 0; i < waits; i++) {
            runtime.start(listener(), newChannel("parked"), runtime.workflowId("parked-" + i));
        }
        Thread.sleep(Math.max(300, settings.settle().toMillis()));
        int parked = liveThreads();
        assertTrue(
                parked <= baseline + Math.max(2, waits / 2),
                () -> "[L3.1] " + waits + " pending waits raised the" + " live thread count from " + baseline + " to "
                        + parked + ": a pending wait holds a thread");
        CompletableFuture<String> probe = runtime.hark()
                .start(Dag.task(Probe::ping).bind(), runtime.workflowId("probe"))
                .output();
        try {
            probe.get(Math.max(2_000, settings.nonBlocking().toMillis() * 2), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            fail("[L3.1] with " + waits + " pending waits a plain task did not run: the runtime's "
                    + TckRuntime.WORKER_THREADS + " worker threads are held by polls that block\n"
                    + stackOf("hark-worker"));
        }
    }

    @Test
    public void required_L3_2_pollCompletesWithANonNullEvent() {
        instantiableOrAbort();
        A channel = newChannel("nonnull");
        DirectContext context = context();
        CompletionStage<E> stage = pollOrAbort(newInstance(), channel, context);
        assertNotNull(stage, "[L3.2] pollForEvent returned null; it must return a stage");
        publish(channel, "x", DirectContext.publication(context.workflowId(), settings.liveness()));
        await(stage, "L3.2", "the poll on " + channel);
    }

    @Test
    public void required_L3_3_pollDoesNotConsumeTheEvent() {
        instantiableOrAbort();
        requireOrAbort(Capability.DURABLE_CHANNEL);
        A channel = newChannel("noconsume");
        String id = publish(channel, "keep", DirectContext.publication("tck-direct", settings.liveness()));
        E first = await(pollOrAbort(newInstance(), channel, context()), "L3.3", "a poll of " + channel);
        assertEquals(id, first.id(), "[L3.3] the poll returned another event than the one published");
        pause(settings.lateConsume()); // a consume scheduled after the poll shows up here, not as a later duplicate
        fixture()
                .committed(channel)
                .ifPresent(committed -> assertTrue(
                        !committed.contains(id),
                        () -> "[L3.3] the source reports " + id + " committed within "
                                + settings.lateConsume().toMillis()
                                + " ms (" + TckSettings.LATE_CONSUME_MILLIS
                                + ") of a mere poll: the poll consumed it (at once or"
                                + " a little later) before its checkpoint; a crash now would lose it. Commit only in"
                                + " eventCheckpointed"));
        Optional<E> again = awaitMaybe(pollOrAbort(newInstance(), channel, context()), settings.liveness());
        assertTrue(
                again.isPresent(),
                () -> "[L3.3] " + id + " was polled but never passed to eventCheckpointed, yet a"
                        + " new poll did not get it again within "
                        + settings.liveness().toMillis() + " ms: pollForEvent"
                        + " consumed it; a crash before the checkpoint would lose it");
        assertEquals(
                id,
                again.get().id(),
                () -> "[L3.5] only " + id + " was published into " + channel + ", and a new" + " poll got "
                        + again.get().id() + ": the uncommitted occurrence came back under a new id()");
    }

    @Property(shrinking = ShrinkingMode.BOUNDED)
    @Label("required_L3_3_noLossAcrossACrashBeforeTheCheckpoint")
    @AddLifecycleHook(TckPropertyHook.class)
    @RequiresCapability(Capability.DURABLE_CHANNEL)
    public void required_L3_3_noLossAcrossACrashBeforeTheCheckpoint(
            @ForAll("crashesBeforeTheCheckpoint") List<Step> schedule) throws Exception {
        runSchedule("L3.3", schedule);
    }

    @Test
    public void required_L3_4_aCancelledWaitConsumesNothing() throws Exception {
        instantiableOrAbort();
        pollReturnsOrAbort();
        TckRuntime runtime = runtime();
        A channel = newChannel("cancel");
        String cancelled = runtime.workflowId("cancelled");
        runtime.start(listener(), channel, cancelled);
        Thread.sleep(settings.settle().toMillis());
        cancelBounded(runtime, cancelled);
        String next = runtime.workflowId("after-cancel");
        expectDeliveredAfter(
                runtime,
                channel,
                next,
                "L3.4",
                "after workflow " + cancelled + " waiting on the same channel was cancelled",
                null);
    }

    @Test
    public void required_L3_4_aWaitAbandonedByShutdownConsumesNothing() throws Exception {
        instantiableOrAbort();
        pollReturnsOrAbort();
        TckRuntime runtime = runtime();
        A channel = newChannel("abandon");
        String workflow = runtime.workflowId("abandoned");
        runtime.start(listener(), channel, workflow);
        Thread.sleep(settings.settle().toMillis());
        expectDeliveredAfter(
                runtime,
                channel,
                workflow,
                "L3.4",
                "after the runtime was shut down while " + workflow + " waited, and restarted",
                runtime::closeAndReopen);
    }

    @Test
    public void required_L3_4_aWaitCancelledWithTheEventInHandConsumesNothing() {
        instantiableOrAbort();
        requireOrAbort(Capability.DURABLE_CHANNEL);
        A channel = newChannel("inhand");
        String id = publish(channel, "held", DirectContext.publication("tck-direct", settings.liveness()));
        DirectContext cancelled = context();
        E seen = await(pollOrAbort(newInstance(), channel, cancelled), "L3.4", "a poll of " + channel);
        if (!seen.id().equals(id)) {
            throw new TestAbortedException("precondition L3.6 broken (a poll got " + seen.id() + ", not the published "
                    + id + "); see required_L3_6_aPublishedEventReachesItsWaitWithinTheBound");
        }
        pause(settings.lateConsume());
        if (fixture()
                .committed(channel)
                .map(committed -> committed.contains(id))
                .orElse(false)) {
            throw new TestAbortedException("precondition L3.3 broken (the poll alone consumed " + id
                    + "); L3.4 cannot be" + " judged — see required_L3_3_pollDoesNotConsumeTheEvent");
        }
        cancelled.cancel(); // the wait polled the event but never checkpointed it
        pause(settings.lateConsume());
        fixture()
                .committed(channel)
                .ifPresent(
                        committed -> assertTrue(
                                !committed.contains(id),
                                () -> "[L3.4] the source"
                                        + " reports " + id
                                        + " committed after its wait was cancelled with the event in hand (polled, never"
                                        + " checkpointed): the cancel consumed it. onCancel releases what the wait holds; it never commits"));
        Optional<E> next = awaitMaybe(pollOrAbort(newInstance(), channel, context()), settings.liveness());
        if (next.isPresent() && !next.get().id().equals(id)) {
            fail("[L3.5] only " + id + " was published into " + channel + "; after its wait was cancelled the next wait"
                    + " got " + next.get().id() + ": the uncommitted occurrence came back under a new id()");
        }
        assertTrue(
                next.isPresent() && next.get().id().equals(id),
                () -> "[L3.4] a wait was cancelled after its poll"
                        + " returned " + id + " and before the checkpoint; the next wait on the channel got "
                        + next.map(Event::id)
                                .orElse("nothing within " + settings.liveness().toMillis() + " ms")
                        + " instead: the cancelled wait consumed it");
    }

    @Test
    public void required_L3_5_aRedeliveredEventCarriesTheSameId() {
        instantiableOrAbort();
        requireOrAbort(Capability.DURABLE_CHANNEL);
        A channel = newChannel("sameid");
        publish(channel, "same", DirectContext.publication("tck-direct", settings.liveness()));
        E first = await(pollOrAbort(newInstance(), channel, context()), "L3.5", "a poll of " + channel);
        Optional<E> again = awaitMaybe(pollOrAbort(newInstance(), channel, context()), settings.liveness());
        if (again.isEmpty()) {
            throw new TestAbortedException("precondition L3.3 broken (no redelivery of an uncommitted event); L3.5"
                    + " cannot be judged — see required_L3_3_pollDoesNotConsumeTheEvent");
        }
        assertEquals(
                first.id(),
                again.get().id(),
                () -> "[L3.5] the same uncommitted occurrence was delivered again" + " with another id: " + first
                        + " then " + again.get() + "; the id is the key of exactly-once delivery");
    }

    @Test
    public void required_L3_6_aPublishedEventReachesItsWaitWithinTheBound() throws Exception {
        instantiableOrAbort();
        TckRuntime runtime = runtime();
        List<Boolean> orders = supports(Capability.DURABLE_CHANNEL) ? List.of(true, false) : List.of(false);
        for (boolean ahead : orders) {
            A channel = newChannel("liveness");
            String workflow = runtime.workflowId("live-" + ahead);
            long start = System.nanoTime();
            CompletableFuture<String> published =
                    ahead ? publishAsync(channel, "live", runtime.publication(workflow)) : null;
            if (published != null) {
                published.get(settings.liveness().toMillis(), TimeUnit.MILLISECONDS);
            }
            WorkflowHandle<E> handle = runtime.start(listener(), channel, workflow);
            if (!ahead) {
                published = publishAsync(channel, "live", runtime.publication(workflow));
            }
            E got = awaitOutput(
                    handle.output(),
                    "L3.6",
                    "the event published into " + channel + (ahead ? " before " : " after ") + "workflow " + workflow
                            + " started waiting");
            String id = published.get(settings.liveness().toMillis(), TimeUnit.MILLISECONDS);
            assertEquals(id, got.id(), "[L3.6] the workflow received another event than the one published");
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(
                    millis <= settings.liveness().toMillis(),
                    () -> "[L3.6] delivery took " + millis + " ms, over the" + " bound of "
                            + settings.liveness().toMillis() + " ms (" + TckSettings.LIVENESS_MILLIS + ")");
        }
    }

    @Test
    public void required_L3_7_concurrentWaitsWithDifferentArgsGetTheirOwnEvents() throws Exception {
        instantiableOrAbort();
        TckRuntime runtime = runtime();
        int count = 4;
        Map<String, A> channels = new LinkedHashMap<>();
        Map<String, WorkflowHandle<E>> handles = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            String workflow = runtime.workflowId("own-" + i);
            A channel = newChannel("own-" + i);
            channels.put(workflow, channel);
            handles.put(workflow, runtime.start(listener(), channel, workflow));
        }
        List<String> order = new ArrayList<>(channels.keySet());
        Collections.shuffle(order);
        Map<String, CompletableFuture<String>> published = new LinkedHashMap<>();
        for (String workflow : order) {
            published.put(
                    workflow, publishAsync(channels.get(workflow), "for-" + workflow, runtime.publication(workflow)));
        }
        for (String workflow : channels.keySet()) {
            E got = awaitOutput(
                    handles.get(workflow).output(),
                    "L3.7",
                    "workflow " + workflow + " waiting on " + channels.get(workflow) + " while " + (count - 1)
                            + " other waits on other channels were pending");
            String expected = published.get(workflow).get(settings.liveness().toMillis(), TimeUnit.MILLISECONDS);
            assertEquals(
                    expected,
                    got.id(),
                    () -> "[L3.7] workflow " + workflow + " waiting on " + channels.get(workflow)
                            + " received " + got.id() + ", but the event published into its channel was " + expected
                            + "; published: "
                            + published.keySet().stream()
                                    .map(w -> channels.get(w) + "="
                                            + published.get(w).getNow("?"))
                                    .toList());
        }
    }

    @Test
    public void optional_L3_8_endedWaitsLeaveNothingBehind() throws Exception {
        instantiableOrAbort();
        TckRuntime runtime = runtime();
        warmUp(runtime);
        int baseline = liveThreads();
        int waits = settings.concurrentWaits();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < waits; i++) {
            String workflow = runtime.workflowId("released-" + i);
            runtime.start(listener(), newChannel("released-" + i), workflow);
            ids.add(workflow);
        }
        Thread.sleep(Math.max(200, settings.settle().toMillis()));
        for (String workflow : ids) {
            cancelBounded(runtime, workflow);
        }
        Thread.sleep(Math.max(200, settings.settle().toMillis()));
        var metrics = runtime.hark().metrics();
        int threads = liveThreads();
        assertTrue(
                metrics.pendingTimers() == 0 && metrics.inboxWaits() == 0 && threads <= baseline + 2,
                () -> "[L3.8] after " + waits + " cancelled waits the listener left behind " + metrics.pendingTimers()
                        + " timer(s), " + metrics.inboxWaits() + " inbox registration(s), and " + (threads - baseline)
                        + " extra thread(s); release what a wait holds in context.onCancel");
    }

    // ---------------------------------------------------------------- 4. Commit

    @Test
    public void required_L4_2_eventCheckpointedIsIdempotent() {
        instantiableOrAbort();
        boolean queue = supports(Capability.DURABLE_CHANNEL) && supports(Capability.MULTIPLE_EVENTS_PER_CHANNEL);
        A channel = newChannel("idempotent");
        DirectContext context = context();
        String first;
        String second = null;
        CompletionStage<E> stage;
        if (queue) {
            first = publish(channel, "one", DirectContext.publication("tck-direct", settings.liveness()));
            second = publish(channel, "two", DirectContext.publication("tck-direct", settings.liveness()));
            stage = pollOrAbort(newInstance(), channel, context);
        } else {
            stage = pollOrAbort(newInstance(), channel, context);
            first = publish(channel, "one", DirectContext.publication(context.workflowId(), settings.liveness()));
        }
        E event = await(stage, "L4.2", "a poll of " + channel);
        assertEquals(first, event.id(), "[L4.2] the poll returned another event than the first published");
        commitDirect(newInstance(), roundTrip(event), "L4.2");
        try {
            commitDirect(newInstance(), roundTrip(event), "L4.2");
        } catch (AssertionError e) {
            throw new AssertionError(
                    "[L4.2] a repeated eventCheckpointed for " + first + ", already committed, did not"
                            + " succeed; after a crash the runtime calls it again: " + e.getMessage(),
                    e);
        }
        if (queue) {
            Optional<E> next = awaitMaybe(pollOrAbort(newInstance(), channel, context()), settings.liveness());
            if (next.isPresent() && next.get().id().equals(first)) {
                throw new TestAbortedException("precondition L4.4 broken (a committed event is delivered again);"
                        + " L4.2 cannot be judged — see required_L4_4_aCommittedEventIsNeverDeliveredAgain");
            }
            String expected = second;
            assertTrue(
                    next.isPresent() && next.get().id().equals(expected),
                    () -> "[L4.2] eventCheckpointed ran twice for "
                            + first + "; the next poll should get " + expected + " but got "
                            + next.map(Event::id).orElse("nothing")
                            + ": the repeated call committed something else"
                            + fixture()
                                    .committed(channel)
                                    .map(c -> " (committed at source: " + c + ")")
                                    .orElse(""));
        }
    }

    @Property(shrinking = ShrinkingMode.BOUNDED)
    @Label("required_L4_2_idempotentCommitAcrossACrashInsideTheCommit")
    @AddLifecycleHook(TckPropertyHook.class)
    @RequiresCapability(Capability.DURABLE_CHANNEL)
    public void required_L4_2_idempotentCommitAcrossACrashInsideTheCommit(
            @ForAll("crashesInsideTheCommit") List<Step> schedule) throws Exception {
        runSchedule("L4.2", schedule);
    }

    @Test
    public void optional_L4_3_eventCheckpointedDoesNotBlock() throws Exception {
        instantiableOrAbort();
        A channel = newChannel("commitblock");
        DirectContext context = context();
        CompletionStage<E> stage = pollOrAbort(newInstance(), channel, context);
        publish(channel, "c", DirectContext.publication(context.workflowId(), settings.liveness()));
        E event = await(stage, "L4.3", "a poll of " + channel);
        EventListener<A, E> instance = newInstance();
        E copy = roundTrip(event);
        Future<CompletionStage<Void>> call = CALLER.submit(() -> instance.eventCheckpointed(copy, context));
        try {
            call.get(settings.nonBlocking().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            fail("[L4.3] eventCheckpointed did not return within "
                    + settings.nonBlocking().toMillis() + " ms; return a"
                    + " stage that completes when the commit is done");
        }
    }

    @Test
    public void required_L4_4_aCommittedEventIsNeverDeliveredAgain() {
        instantiableOrAbort();
        requireOrAbort(Capability.MULTIPLE_EVENTS_PER_CHANNEL);
        A channel = newChannel("forget");
        DirectContext context = context();
        CompletionStage<E> stage = pollOrAbort(newInstance(), channel, context);
        String first = publish(channel, "one", DirectContext.publication(context.workflowId(), settings.liveness()));
        E event = await(stage, "L4.4", "a poll of " + channel);
        assertEquals(first, event.id(), "[L4.4] the poll returned another event than the one published");
        commitDirect(newInstance(), roundTrip(event), "L4.4");
        fixture()
                .committed(channel)
                .ifPresent(committed -> assertTrue(
                        committed.contains(first),
                        () -> "[L4.4]" + " eventCheckpointed completed for " + first
                                + " but the source does not report it committed: " + committed));
        DirectContext next = context();
        CompletionStage<E> again = pollOrAbort(newInstance(), channel, next);
        String second = publish(channel, "two", DirectContext.publication(next.workflowId(), settings.liveness()));
        E got = await(again, "L4.4", "the poll after " + first + " was committed");
        assertTrue(
                got.id().equals(second),
                () -> "[L4.4] "
                        + (got.id().equals(first)
                                ? first
                                        + " was delivered again after eventCheckpointed completed for it: the commit did not make the"
                                        + " source forget it, so the next wait gets a duplicate"
                                : "after " + first + " was committed, the next poll got " + got.id() + " instead of "
                                        + second));
    }

    @Property(shrinking = ShrinkingMode.BOUNDED)
    @Label("required_L4_4_noDuplicateAcrossACrashAfterTheCheckpoint")
    @AddLifecycleHook(TckPropertyHook.class)
    @RequiresCapability(Capability.DURABLE_CHANNEL)
    public void required_L4_4_noDuplicateAcrossACrashAfterTheCheckpoint(
            @ForAll("crashesAfterTheCheckpoint") List<Step> schedule) throws Exception {
        runSchedule("L4.4", schedule);
    }

    /**
     * Several workflows wait on one channel at once while events are published before and during
     * their waits: each event reaches exactly one of them, none is lost [L4.5]. A listener annotated
     * {@code @UnsharedSource} is held to the same outcome without the runtime's claims [L3.9].
     */
    @Test
    public void required_L4_5_competingWaitsTakeEachEventOnce() throws Exception {
        instantiableOrAbort();
        boolean unshared = listener().isAnnotationPresent(UnsharedSource.class);
        String why = unshared
                ? " (the listener is @UnsharedSource: each channel of its source is one wait's, so"
                        + " no waits compete on it [L3.9])"
                : "";
        requireOrAbort(Capability.MULTIPLE_EVENTS_PER_CHANNEL, why);
        requireOrAbort(Capability.DURABLE_CHANNEL, why);
        pollReturnsOrAbort();
        TckRuntime runtime = runtime();
        A channel = newChannel("compete");
        int waits = Math.max(2, Math.min(settings.concurrentWaits(), 8));
        CompetingWaits competition = new CompetingWaits(listener(), unshared, settings.liveness());
        competition.run(
                waits,
                waits / 2,
                i -> runtime.workflowId("c" + (i + 1)),
                workflow ->
                        runtime.start(listener(), channel, workflow).output().thenApply(e -> (Object) e),
                (payload, workflow) -> publishAsync(channel, payload, runtime.publication(workflow)));
        competition.check(CompetingWaits.sorted(fixture().committed(channel)));
    }

    // ---------------------------------------------------------------- crash schedules

    @Provide
    public Arbitrary<List<Step>> crashesBeforeTheCheckpoint() {
        return schedules(CrashPoint.NONE, CrashPoint.BEFORE_CHECKPOINT);
    }

    @Provide
    public Arbitrary<List<Step>> crashesAfterTheCheckpoint() {
        return schedules(CrashPoint.NONE, CrashPoint.AFTER_CHECKPOINT, CrashPoint.AFTER_COMMIT_RECORDED);
    }

    @Provide
    public Arbitrary<List<Step>> crashesInsideTheCommit() {
        return schedules(CrashPoint.NONE, CrashPoint.INSIDE_COMMIT, CrashPoint.COMMIT_NOT_RECORDED);
    }

    private Arbitrary<List<Step>> schedules(CrashPoint... points) {
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
    private void runSchedule(String rule, List<Step> schedule) throws Exception {
        if (skipProperties) {
            return;
        }
        boolean shared = supports(Capability.MULTIPLE_EVENTS_PER_CHANNEL);
        Ledger ledger = new Ledger(rule, schedule);
        try (TckRuntime runtime = new TckRuntime(settings.liveness(), listener())) {
            A sharedChannel = shared ? newChannel("crash") : null;
            List<A> channels = new ArrayList<>();
            for (int i = 0; i < schedule.size(); i++) {
                channels.add(shared ? sharedChannel : newChannel("crash-" + i));
                ledger.plan(i, runtime.workflowId("w" + (i + 1)), schedule.get(i));
            }
            for (int i = 0; i < schedule.size(); i++) {
                if (schedule.get(i).publishAhead()) {
                    ledger.published(
                            i,
                            publish(
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
                CompletableFuture<Object> output =
                        runtime.start(listener(), channel, workflow).output().thenApply(e -> e);
                CompletableFuture<String> published = step.publishAhead()
                        ? null
                        : publishAsync(channel, "after-start-" + i, runtime.publication(workflow));
                Object outcome;
                try {
                    outcome = CompletableFuture.anyOf(output, crash)
                            .get(settings.liveness().toMillis(), TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    recordPublished(ledger, i, published);
                    ledger.noDelivery(i, settings.liveness().toMillis());
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
                        dev.hark.workflow.WorkflowStatus status = runtime.hark().status(workflow);
                        output = status == dev.hark.workflow.WorkflowStatus.SUCCESSFUL
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
                    got = output.get(settings.liveness().toMillis(), TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    recordPublished(ledger, i, published);
                    ledger.noDelivery(i, settings.liveness().toMillis());
                    return;
                } catch (ExecutionException e) {
                    recordPublished(ledger, i, published);
                    ledger.workflowFailed(workflow, e.getCause());
                    return;
                }
                recordPublished(ledger, i, published);
                ledger.delivered(i, ((Event) got).id(), restarted);
                ledger.committed(i, fixture().committed(channel));
                ledger.checkStep();
            }
            ledger.checkComplete();
        }
    }

    private void recordPublished(Ledger ledger, int step, CompletableFuture<String> published) throws Exception {
        if (published != null) {
            try {
                ledger.published(step, published.get(settings.liveness().toMillis(), TimeUnit.MILLISECONDS));
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
        Optional<Set<String>> committed = fixture().committed(channel);
        if (envelope == null || committed.isEmpty()) {
            return;
        }
        ListenerType type = typeOrAbort();
        Event event = (Event) new ValueCodec(listener().getClassLoader()).decode(envelope, type.eventType());
        if (committed.get().contains(event.id())) {
            ledger.note("at the crash (" + point + ") the source already reported " + event.id() + " committed");
            throw new AssertionError(
                    "[L3.3] the source committed " + event.id() + " before eventCheckpointed was called"
                            + " (crash point " + point + "): the poll consumed it\n" + ledger.render());
        }
    }

    // ---------------------------------------------------------------- helpers

    /** Aborts the calling test when the listener cannot even be created (L1.2 / L1.7 are failed elsewhere). */
    final void instantiableOrAbort() {
        try {
            ListenerType.of(listener());
            listener().getConstructor().newInstance();
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            throw new TestAbortedException("precondition L1.2 broken (the listener cannot be created: " + e
                    + "); see required_L1_2_hasAPublicNoArgConstructor");
        }
    }

    final void requireOrAbort(Capability capability) {
        requireOrAbort(capability, "");
    }

    private void requireOrAbort(Capability capability, String note) {
        String reason = fixture().unsupported().get(capability);
        if (reason != null) {
            throw new TestAbortedException("the source does not support " + capability + ": " + reason + note);
        }
    }

    /** Aborts a runtime test when a poll blocks: blocked workers cannot run, start or cancel workflows [L3.1]. */
    private void pollReturnsOrAbort() {
        pollOrAbort(newInstance(), newChannel("returns"), context());
    }

    private static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private boolean supports(Capability capability) {
        return !fixture().unsupported().containsKey(capability);
    }

    private ListenerType typeOrAbort() {
        instantiableOrAbort();
        return ListenerType.of(listener());
    }

    @SuppressWarnings("unchecked")
    private EventListener<A, E> newInstance() {
        try {
            return (EventListener<A, E>) listener().getConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new TestAbortedException("precondition L1.2 broken: " + e);
        }
    }

    private A newChannel(String label) {
        return fixture()
                .newChannel("tck" + ProcessHandle.current().pid() + "-" + label + "-" + NAMES.incrementAndGet());
    }

    private DirectContext context() {
        DirectContext context = new DirectContext("tck-direct-" + NAMES.incrementAndGet(), "wait");
        contexts.add(context);
        return context;
    }

    private TckRuntime runtime() {
        TckRuntime runtime = new TckRuntime(settings.liveness(), listener());
        runtimes.add(runtime);
        return runtime;
    }

    @SuppressWarnings("unchecked")
    private E roundTrip(E event) {
        ListenerType type = ListenerType.of(listener());
        ValueCodec codec = new ValueCodec(listener().getClassLoader());
        return (E) codec.decode(codec.encode(event, type.eventType()), type.eventType());
    }

    /** Polls on a helper thread; a poll that does not return in time blocks, which L3.1 reports. */
    private CompletionStage<E> pollOrAbort(EventListener<A, E> instance, A channel, DirectContext context) {
        Future<CompletionStage<E>> call = CALLER.submit(() -> instance.pollForEvent(channel, context));
        try {
            CompletionStage<E> stage = call.get(settings.nonBlocking().toMillis(), TimeUnit.MILLISECONDS);
            if (stage == null) {
                fail("[L3.2] pollForEvent returned null; it must return a stage");
            }
            return stage;
        } catch (TimeoutException e) {
            // let a blocked poll go: publish something it can return, then give up on this test
            CompletableFuture.runAsync(() -> unblock(channel, context), CALLER);
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

    private void unblock(A channel, DirectContext context) {
        try {
            publish(channel, "unblock", DirectContext.publication(context.workflowId(), Duration.ofSeconds(1)));
        } catch (RuntimeException | AssertionError ignored) {
            // best effort
        }
    }

    private E publishAndPollDirect(A channel, String payload, String rule) {
        DirectContext context = context();
        if (supports(Capability.DURABLE_CHANNEL)) {
            String id = publish(channel, payload, DirectContext.publication(context.workflowId(), settings.liveness()));
            E event = await(pollOrAbort(newInstance(), channel, context), rule, "a poll of " + channel);
            assertEquals(id, event.id(), "[" + rule + "] the poll returned another event than the one published");
            return event;
        }
        CompletionStage<E> stage = pollOrAbort(newInstance(), channel, context);
        publish(channel, payload, DirectContext.publication(context.workflowId(), settings.liveness()));
        return await(stage, rule, "a poll of " + channel);
    }

    private void commitDirect(EventListener<A, E> instance, E event, String rule) {
        DirectContext context = context();
        CompletionStage<Void> stage;
        try {
            stage = CALLER.submit(() -> instance.eventCheckpointed(event, context))
                    .get(settings.liveness().toMillis(), TimeUnit.MILLISECONDS);
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
            stage.toCompletableFuture().get(settings.liveness().toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError(
                    "[" + rule + "] eventCheckpointed(" + event.id() + ") completed exceptionally: " + e.getCause(),
                    e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw new AssertionError(
                    "[" + rule + "] eventCheckpointed(" + event.id() + ") did not complete within "
                            + settings.liveness().toMillis() + " ms",
                    e);
        }
    }

    private String publish(A channel, String payload, Publication publication) {
        try {
            return publishAsync(channel, payload, publication)
                    .get(settings.liveness().toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException(
                    "the fixture could not publish into " + channel + ": " + e.getCause(), e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw new IllegalStateException(
                    "the fixture did not publish into " + channel + " within "
                            + settings.liveness().toMillis() + " ms",
                    e);
        }
    }

    private CompletableFuture<String> publishAsync(A channel, String payload, Publication publication) {
        try {
            return fixture().publish(channel, payload, publication).toCompletableFuture();
        } catch (Exception e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private E await(CompletionStage<E> stage, String rule, String what) {
        try {
            E event = stage.toCompletableFuture().get(settings.liveness().toMillis(), TimeUnit.MILLISECONDS);
            if (event == null) {
                fail("[L3.2] " + what + " completed with null; it must complete with an event");
            }
            return event;
        } catch (TimeoutException e) {
            throw new AssertionError("[" + rule + "] " + what + ": no event within "
                    + settings.liveness().toMillis() + " ms");
        } catch (ExecutionException e) {
            throw new AssertionError("[" + rule + "] " + what + " failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private Optional<E> awaitMaybe(CompletionStage<E> stage, Duration patience) {
        try {
            return Optional.ofNullable(stage.toCompletableFuture().get(patience.toMillis(), TimeUnit.MILLISECONDS));
        } catch (TimeoutException | ExecutionException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    @SuppressWarnings("unchecked")
    private E awaitOutput(CompletableFuture<?> output, String rule, String what) {
        try {
            return (E) output.get(settings.liveness().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("[" + rule + "] " + what + ": the workflow received nothing within "
                    + settings.liveness().toMillis() + " ms (" + TckSettings.LIVENESS_MILLIS + ")");
        } catch (ExecutionException e) {
            throw Attribution.workflowFailed(rule, "the workflow", e.getCause(), what);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /**
     * Publishes into {@code channel} for {@code workflow} (before it starts, when the source holds
     * events, so that a wait left behind would see it first) and expects that workflow to get it.
     */
    private void expectDeliveredAfter(
            TckRuntime runtime,
            A channel,
            String workflow,
            String rule,
            String situation,
            Supplier<Map<String, CompletableFuture<Object>>> restart)
            throws Exception {
        boolean durable = supports(Capability.DURABLE_CHANNEL);
        String id = null;
        if (durable) {
            if (restart != null) {
                runtime.hark().close();
            }
            id = publish(channel, "after", runtime.publication(workflow));
            Thread.sleep(settings.settle().toMillis());
            String published = id;
            fixture()
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
            output = runtime.start(listener(), channel, workflow).output();
        }
        CompletableFuture<String> published = durable
                ? CompletableFuture.completedFuture(id)
                : publishAsync(channel, "after", runtime.publication(workflow));
        String expected = id;
        E got;
        try {
            got = awaitOutput(output, rule, "");
        } catch (AssertionError e) {
            if (e.getCause() != null) {
                // the workflow failed: that is the finding (cause first), whatever the abandoned wait did
                throw Attribution.workflowFailed(rule, workflow, e.getCause(), "the event was published " + situation);
            }
            throw new AssertionError(
                    "[" + rule + "] the event " + (expected == null ? "" : expected + " ")
                            + "published " + situation + " never reached workflow " + workflow + " within "
                            + settings.liveness().toMillis() + " ms: the abandoned wait consumed it",
                    e);
        }
        assertEquals(
                published.get(settings.liveness().toMillis(), TimeUnit.MILLISECONDS),
                got.id(),
                "[" + rule + "] workflow " + workflow + " received another event than the one published " + situation);
    }

    /** Cancels a workflow; a runtime whose worker threads are all held by blocking polls cannot, which L3.1 reports. */
    private void cancelBounded(TckRuntime runtime, String workflow) throws Exception {
        Future<?> cancel = CALLER.submit(() -> runtime.hark().cancel(workflow));
        try {
            cancel.get(settings.liveness().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new TestAbortedException("precondition L3.1 broken (the runtime could not cancel " + workflow
                    + " within "
                    + settings.liveness().toMillis() + " ms: its worker threads are held by polls that block); see"
                    + " required_L3_1_pendingWaitsHoldNoThread");
        } catch (ExecutionException e) {
            throw new AssertionError(
                    "the runtime could not cancel workflow " + workflow + ": " + e.getCause(), e.getCause());
        }
    }

    private void warmUp(TckRuntime runtime) throws Exception {
        A channel = newChannel("warmup");
        String workflow = runtime.workflowId("warmup");
        WorkflowHandle<E> handle = runtime.start(listener(), channel, workflow);
        CompletableFuture<String> published = publishAsync(channel, "warm", runtime.publication(workflow));
        try {
            handle.output().get(settings.liveness().toMillis(), TimeUnit.MILLISECONDS);
            published.get(settings.liveness().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            throw new TestAbortedException("precondition L3.6 broken (a published event did not reach its workflow);"
                    + " see required_L3_6_aPublishedEventReachesItsWaitWithinTheBound");
        }
        runtime.hark()
                .start(Dag.task(Probe::ping).bind(), runtime.workflowId("warmup-probe"))
                .output()
                .get(settings.liveness().toMillis(), TimeUnit.MILLISECONDS);
    }

    private static int liveThreads() {
        return ManagementFactory.getThreadMXBean().getThreadCount();
    }

    private static String stackOf(String threadPrefix) {
        StringBuilder out = new StringBuilder();
        for (Map.Entry<Thread, StackTraceElement[]> entry :
                Thread.getAllStackTraces().entrySet()) {
            StackTraceElement[] stack = entry.getValue();
            if (entry.getKey().getName().startsWith(threadPrefix) && stack.length > 0 && !isIdle(stack)) {
                out.append("stack of ").append(entry.getKey().getName()).append(":\n");
                for (int i = 0; i < Math.min(stack.length, 12); i++) {
                    out.append("    at ").append(stack[i]).append('\n');
                }
                break;
            }
        }
        return out.toString();
    }

    private static boolean isIdle(StackTraceElement[] stack) {
        for (StackTraceElement element : stack) {
            if (element.getClassName().startsWith("java.util.concurrent.ThreadPoolExecutor")
                    && element.getMethodName().equals("getTask")) {
                return true;
            }
        }
        return false;
    }

    /** Task functions of the TCK's probe workflows. */
    public static final class Probe {
        private Probe() {}

        public static String ping() {
            return "pong";
        }
    }
}
