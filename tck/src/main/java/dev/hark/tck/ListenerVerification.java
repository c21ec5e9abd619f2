package dev.hark.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.hark.api.Event;
import dev.hark.api.EventListener;
import dev.hark.api.UnsharedSource;
import dev.hark.runtime.WorkflowHandle;
import dev.hark.runtime.testkit.StoredForms;
import dev.hark.workflow.Dag;
import dev.hark.workflow.WaitResult;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AfterProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
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
 * <p>Every test is named after the rule of {@code docs/SPEC.md} it checks, as listed in
 * {@link ListenerVerificationRules}: {@code required_L<rule>_…} for a MUST, {@code optional_L<rule>_…}
 * for a SHOULD, {@code untested_L<rule>_…} for a rule the kit cannot judge from a running listener
 * (reported as skipped, saying where the rule is enforced). A failure message starts with the rule,
 * e.g. {@code [L4.4] …}. A test that needs a capability the fixture declares unsupported, or that
 * cannot judge its rule because the listener breaks another one first (a precondition), is reported
 * as skipped (aborted) with the reason, never as passed.
 *
 * <p>The runtime tests run the listener in a real runtime that loads the listener's class anew
 * (and anew at every restart), so state kept in {@code static} fields does not survive a crash;
 * the fixture's source is shared. A failure names the rule its evidence points to, which may be
 * another test's rule (a duplicate seen by an L3.3 schedule is reported as {@code [L4.4]}; a
 * workflow the runtime failed, under the rule its cause cites).
 *
 * <p>This class holds the rule tests only; the harness they use is package-private: the test's
 * environment ({@link TckEnvironment}), direct calls of the listener, publishing, bounded waiting,
 * runtimes ({@link TckRuntime}, {@link RuntimeDriver}) and the crash schedules ({@link CrashSchedules}).
 *
 * <p>Plain tests run on JUnit Jupiter; the crash-schedule properties run on jqwik. Knobs: see
 * {@link TckSettings}.
 *
 * @param <A> the listener's argument type
 * @param <E> the listener's event type
 */
@DisplayNameGeneration(DisplayNameGenerator.Standard.class)
public abstract class ListenerVerification<A, E extends Event> implements ListenerVerificationRules {

    /** The plugin loader's bound on a listener's static initializer and constructor [L1.7], its property and default. */
    static final String LOAD_TIMEOUT_PROPERTY = "hark.plugins.load-timeout-ms";

    static final long DEFAULT_LOAD_TIMEOUT_MILLIS = 10_000;

    private static final List<String> PAYLOADS = List.of(
            "plain",
            "",
            "ünïcødé ✓ 日本",
            "quote \" backslash \\ tab \t",
            "{\"looks\": [\"like\", \"json\"]}",
            "x".repeat(300));
    private static final String LOADER_CHECKS = " The plugin loader checks it when the plugin loads (a plugin that"
            + " breaks it is refused, citing the rule); check a built plugin with `hark plugins check <jar or folder>`.";

    private final TckSettings settings = TckSettings.current();
    /** Set by {@link TckPropertyHook} when a property cannot run here; it is then reported aborted. */
    volatile boolean skipProperties;

    private final TckEnvironment<A, E> env = new TckEnvironment<>(this::listener, this::createFixture, settings);
    private final Publishing<A> source = new Publishing<>(env::fixture, settings.liveness());
    private final Waiting waiting = new Waiting(settings.liveness());
    private final DirectCalls<A, E> direct = new DirectCalls<>(env, source, waiting);
    private final RuntimeDriver<A, E> runtimes = new RuntimeDriver<>(env, source, waiting, direct);
    private final CrashSchedules<A, E> crashes = new CrashSchedules<>(env, source);

    /** @return the listener under test */
    protected abstract Class<? extends EventListener<A, E>> listener();

    /** @return a fresh fixture for the listener's source; called at most once per test */
    protected abstract SourceFixture<A> createFixture() throws Exception;

    /** @return the settings in force for this run */
    protected TckSettings settings() {
        return settings;
    }

    protected final SourceFixture<A> fixture() {
        return env.fixture();
    }

    @AfterEach
    @AfterProperty
    public void releaseTckResources() throws Exception {
        env.release();
    }

    // ---------------------------------------------------------------- 1. Definition

    @Test
    @Override
    public void required_L1_1_isAPublicConcreteTopLevelOrStaticNestedClass() {
        try {
            StoredForms.of(listener()); // the runtime's own check, as Dag.waitForEvent runs it
        } catch (IllegalArgumentException e) {
            if (String.valueOf(e.getMessage()).contains("[L1.1]")) {
                fail(
                        "[L1.1] " + e.getMessage() + ". Fix: declare it `public class "
                                + listener().getSimpleName() + "` (top level, or `public static` when nested)",
                        e);
            }
        }
    }

    @Test
    @Override
    public void required_L1_2_hasAPublicNoArgConstructor() {
        env.shapeOrAbort();
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
            StoredForms.of(type);
        } catch (IllegalArgumentException e) {
            fail("[L1.2] " + e.getMessage(), e);
        }
    }

    @Test
    @Override
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
    @Override
    public void required_L1_4_argumentsSurviveAJacksonRoundTrip() {
        StoredForms stored = env.storedFormsOrAbort();
        for (int i = 0; i < 3; i++) {
            A args = env.newChannel("args");
            Object copy;
            try {
                copy = stored.roundTripArguments(args);
            } catch (RuntimeException e) {
                throw new AssertionError("[L1.4] arguments " + args + " do not survive a Jackson round trip: " + e, e);
            }
            assertEquals(args, copy, "[L1.4] arguments read back from JSON are not equal to the original");
        }
    }

    @Test
    @Override
    public void required_L1_5_eventsSurviveAJacksonRoundTripWithTheSameId() {
        instantiableOrAbort();
        for (String payload : PAYLOADS) {
            A channel = env.newChannel("roundtrip");
            E event = direct.publishAndPoll(channel, payload, "L1.5");
            E copy;
            try {
                copy = env.roundTrip(event);
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

    @Test
    @Override
    public void untested_L1_6_itsIdStaysStableAcrossReleases() {
        Assumptions.abort(
                "[L1.6] untested: the kit sees one release of " + listener().getName() + ", not the"
                        + " class names workflows parked on earlier releases recorded. Nothing can enforce it: a workflow"
                        + " parked on a listener whose class was renamed or moved cannot resume. Keep the fully qualified"
                        + " class name, which is the listener's id, across releases");
    }

    /**
     * Loads the listener's classes anew (so that the static initializer runs again, as in a new
     * process) and creates one instance on another thread, bounded as the plugin loader bounds it.
     */
    @Test
    @Override
    public void required_L1_7_itsStaticInitializerAndConstructorCompletePromptly() throws Exception {
        env.shapeOrAbort();
        try {
            listener().getConstructor();
        } catch (NoSuchMethodException e) {
            throw new TestAbortedException("precondition L1.2 broken (no public no-argument constructor); see"
                    + " required_L1_2_hasAPublicNoArgConstructor");
        }
        long bound = Long.getLong(LOAD_TIMEOUT_PROPERTY, DEFAULT_LOAD_TIMEOUT_MILLIS);
        Future<Object> creation = TckThreads.call(() -> FreshListenerClassLoader.freshCopyOf(listener())
                .getConstructor()
                .newInstance());
        try {
            creation.get(bound, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            String stack = TckThreads.stackOf(TckThreads.CALLER_NAME);
            creation.cancel(true);
            fail("[L1.7] creating " + listener().getName() + " (its static initializer and public no-argument"
                    + " constructor) did not finish within " + bound + " ms (" + LOAD_TIMEOUT_PROPERTY + "); the plugin"
                    + " loader refuses such a listener. Fix: create clients lazily where they are used\n" + stack);
        } catch (ExecutionException e) {
            Throwable cause =
                    e.getCause() instanceof InvocationTargetException thrown ? thrown.getCause() : e.getCause();
            if (cause instanceof ExceptionInInitializerError initializer && initializer.getCause() != null) {
                cause = initializer.getCause();
                fail(
                        "[L1.7] the static initializer of " + listener().getName() + " threw " + cause + "; the plugin"
                                + " loader refuses such a listener. Fix: do not throw from it; create clients lazily",
                        cause);
            }
            if (cause instanceof NoClassDefFoundError missing) {
                fail(
                        "[L1.7] creating " + listener().getName() + " needs a class missing at run time: "
                                + missing.getMessage() + ". Fix: bundle the jar that holds it in the plugin folder",
                        cause);
            }
            fail(
                    "[L1.7] the public no-argument constructor of " + listener().getName() + " threw " + cause + "; the"
                            + " plugin loader refuses such a listener. Fix: do not throw from it; create clients lazily",
                    cause);
        }
    }

    /**
     * The class path the listener runs from holds its class once. A second copy (two jars, or a jar
     * and a folder, with the same class) takes the same id; whichever comes first is used.
     */
    @Test
    @Override
    public void required_L1_8_itsIdIsUniqueOnTheClassPath() throws IOException {
        String resource = listener().getName().replace('.', '/') + ".class";
        List<URL> copies = Collections.list(listener().getClassLoader().getResources(resource));
        assertTrue(
                copies.size() <= 1,
                () -> "[L1.8] the id " + listener().getName() + " is not unique on the class"
                        + " path: " + copies.size() + " copies of its class, at " + copies
                        + "; only the first is ever used."
                        + " Fix: keep one jar that holds it, or rename one class. Across plugins the plugin loader refuses a"
                        + " later plugin that repeats an id (`hark plugins check`)");
    }

    @Test
    @Override
    public void untested_L1_9_aPluginIsAFolderOfReadableJarsOrOneJar() {
        Assumptions.abort("[L1.9] untested: a rule for how a plugin is packaged, and the kit runs the listener from"
                + " the test class path, not from a plugin." + LOADER_CHECKS);
    }

    @Test
    @Override
    public void untested_L1_10_aWorkflowDefinitionIsAPublicClassRegisteredAsAService() {
        Assumptions.abort("[L1.10] untested: a rule for workflow definitions, not listeners." + LOADER_CHECKS);
    }

    @Test
    @Override
    public void untested_L1_11_aWorkflowDefinitionsNameIsAValidUniqueId() {
        Assumptions.abort("[L1.11] untested: a rule for workflow definitions, not listeners." + LOADER_CHECKS);
    }

    @Test
    @Override
    public void untested_L1_12_noClassOfThePluginStopsTheProcess() {
        Assumptions.abort("[L1.12] untested: it covers every class file of the plugin, its bundled libraries"
                + " included, which the kit does not see (it runs the listener from the test class path)."
                + LOADER_CHECKS);
    }

    @Test
    @Override
    public void untested_L1_13_aWorkflowDefinitionWaitsOnlyOnListenersItsPluginSees() {
        Assumptions.abort("[L1.13] untested: a rule for workflow definitions and how plugins are put together,"
                + " judged across every plugin at `hark serve` (and by `hark plugins check` against the class path)."
                + LOADER_CHECKS);
    }

    // ---------------------------------------------------------------- 2. Statelessness

    @Test
    @Override
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
    @Override
    public void required_L2_2_aFreshInstanceBehavesTheSame() {
        instantiableOrAbort();
        if (!env.supports(Capability.DURABLE_CHANNEL)) {
            // without redelivery: a used instance must still serve a new channel like a fresh one
            EventListener<A, E> used = env.newInstance();
            for (int i = 0; i < 2; i++) {
                A channel = env.newChannel("fresh");
                DirectContext context = env.context();
                CompletionStage<E> stage = direct.pollOrAbort(used, channel, context);
                String id = source.publish(
                        channel, "p" + i, DirectContext.publication(context.workflowId(), settings.liveness()));
                E got = waiting.await(stage, "L2.2", "a second poll on the same instance, channel " + channel);
                assertEquals(
                        id,
                        got.id(),
                        "[L2.2] an instance used before delivered a different event than a fresh one would");
            }
            return;
        }
        A channel = env.newChannel("fresh");
        String first = source.publish(channel, "one", DirectContext.publication("tck-direct", settings.liveness()));
        E byFresh = waiting.await(
                direct.pollOrAbort(env.newInstance(), channel, env.context()), "L2.2", "a poll of a fresh instance");
        Optional<E> byOtherFresh =
                Waiting.awaitMaybe(direct.pollOrAbort(env.newInstance(), channel, env.context()), settings.liveness());
        if (byOtherFresh.isEmpty() || !byOtherFresh.get().id().equals(byFresh.id())) {
            throw new TestAbortedException("precondition L3.3 broken (fresh instances do not redeliver an uncommitted"
                    + " event); L2.2 cannot be judged — see required_L3_3_pollDoesNotConsumeTheEvent");
        }
        EventListener<A, E> used = env.newInstance();
        E once = waiting.await(direct.pollOrAbort(used, channel, env.context()), "L2.2", "a first poll of instance X");
        Optional<E> twice = Waiting.awaitMaybe(direct.pollOrAbort(used, channel, env.context()), settings.liveness());
        assertTrue(
                twice.isPresent() && twice.get().id().equals(once.id()),
                () -> "[L2.2] polled again without a"
                        + " commit, a fresh instance redelivers " + byFresh.id()
                        + ", but the instance that had polled before"
                        + " returned "
                        + twice.map(Event::id)
                                .orElse("nothing within " + settings.liveness().toMillis() + " ms")
                        + ": something the instance holds changed its behaviour");
        if (env.supports(Capability.MULTIPLE_EVENTS_PER_CHANNEL)) {
            direct.commit(env.newInstance(), env.roundTrip(byFresh), "L2.2");
            String second =
                    source.publish(channel, "two", DirectContext.publication("tck-direct", settings.liveness()));
            Optional<E> byFreshAfterCommit = Waiting.awaitMaybe(
                    direct.pollOrAbort(env.newInstance(), channel, env.context()), settings.liveness());
            if (byFreshAfterCommit.isEmpty() || !byFreshAfterCommit.get().id().equals(second)) {
                throw new TestAbortedException(
                        "precondition L4.4 broken (after a commit a fresh instance does not get"
                                + " the next event); L2.2 cannot be judged — see required_L4_4_aCommittedEventIsNeverDeliveredAgain");
            }
            Optional<E> next =
                    Waiting.awaitMaybe(direct.pollOrAbort(used, channel, env.context()), settings.liveness());
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
    @Override
    public void required_L2_2_aListenerLoadedAnewBehavesTheSame() {
        instantiableOrAbort();
        requireOrAbort(Capability.DURABLE_CHANNEL);
        A channel = env.newChannel("reloaded");
        String first = source.publish(channel, "one", DirectContext.publication("tck-direct", settings.liveness()));
        ListenerGeneration<A, E> before = new ListenerGeneration<>(listener());
        E seen = waiting.await(
                direct.pollOrAbort(before.instance(), channel, env.context()), "L2.2", "a poll of " + channel);
        if (!seen.id().equals(first)) {
            throw new TestAbortedException("precondition L3.6 broken (a poll got " + seen.id() + ", not the published "
                    + first + "); see required_L3_6_aPublishedEventReachesItsWaitWithinTheBound");
        }
        EventListener<A, E> anew = new ListenerGeneration<A, E>(listener()).instance();
        Optional<E> byNew = Waiting.awaitMaybe(direct.pollOrAbort(anew, channel, env.context()), settings.liveness());
        if (byNew.isEmpty() || !byNew.get().id().equals(first)) {
            Optional<E> bySame = Waiting.awaitMaybe(
                    direct.pollOrAbort(before.instance(), channel, env.context()), settings.liveness());
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
        if (!env.supports(Capability.MULTIPLE_EVENTS_PER_CHANNEL)) {
            return;
        }
        direct.commit(before.instance(), before.roundTrip(seen), "L2.2");
        String second = source.publish(channel, "two", DirectContext.publication("tck-direct", settings.liveness()));
        EventListener<A, E> third = new ListenerGeneration<A, E>(listener()).instance();
        Optional<E> afterCommit =
                Waiting.awaitMaybe(direct.pollOrAbort(third, channel, env.context()), settings.liveness());
        if (afterCommit.isPresent() && afterCommit.get().id().equals(second)) {
            return;
        }
        Optional<E> bySame =
                Waiting.awaitMaybe(direct.pollOrAbort(before.instance(), channel, env.context()), settings.liveness());
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
    @Override
    public void required_L3_1_pollForEventReturnsWithoutBlocking() {
        instantiableOrAbort();
        A channel = env.newChannel("nonblocking");
        DirectContext context = env.context();
        EventListener<A, E> instance = env.newInstance();
        Future<CompletionStage<E>> call = TckThreads.call(() -> instance.pollForEvent(channel, context));
        try {
            call.get(settings.nonBlocking().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            direct.unblock(channel, context);
            fail("[L3.1] pollForEvent did not return within "
                    + settings.nonBlocking().toMillis() + " ms while no"
                    + " event was available: it blocks the calling thread. Return an incomplete stage and complete"
                    + " it from the source's callback or from context.timerAt(...)\n"
                    + TckThreads.stackOf(TckThreads.CALLER_NAME));
        } catch (InterruptedException | ExecutionException e) {
            throw new AssertionError("[L3.1] pollForEvent threw " + e.getCause(), e.getCause());
        }
    }

    @Test
    @Override
    public void required_L3_1_pendingWaitsHoldNoThread() throws Exception {
        instantiableOrAbort();
        TckRuntime runtime = env.runtime();
        runtimes.warmUp(runtime);
        Map<Long, String> baseline = TckThreads.census();
        int waits = settings.concurrentWaits();
        for (int i = 0; i < waits; i++) {
            runtime.start(listener(), env.newChannel("parked"), runtime.workflowId("parked-" + i));
        }
        Thread.sleep(Math.max(300, settings.settle().toMillis()));
        List<String> added = TckThreads.added(baseline, TckThreads.census());
        assertTrue(
                added.size() <= Math.max(2, waits / 2),
                () -> "[L3.1] " + waits + " pending waits started " + added.size() + " thread(s): " + added
                        + "; a pending wait holds a thread");
        CompletableFuture<String> probe = runtime.hark()
                .start(Dag.task(Probe::ping).bind(), runtime.workflowId("probe"))
                .output();
        try {
            probe.get(Math.max(2_000, settings.nonBlocking().toMillis() * 2), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            fail("[L3.1] with " + waits + " pending waits a plain task did not run: the runtime's "
                    + TckRuntime.WORKER_THREADS + " worker threads are held by polls that block\n"
                    + TckThreads.stackOf("hark-worker"));
        }
    }

    @Test
    @Override
    public void required_L3_2_pollCompletesWithANonNullEvent() {
        instantiableOrAbort();
        A channel = env.newChannel("nonnull");
        DirectContext context = env.context();
        CompletionStage<E> stage = direct.pollOrAbort(env.newInstance(), channel, context);
        assertNotNull(stage, "[L3.2] pollForEvent returned null; it must return a stage");
        source.publish(channel, "x", DirectContext.publication(context.workflowId(), settings.liveness()));
        waiting.await(stage, "L3.2", "the poll on " + channel);
    }

    @Test
    @Override
    public void required_L3_3_pollDoesNotConsumeTheEvent() {
        instantiableOrAbort();
        requireOrAbort(Capability.DURABLE_CHANNEL);
        A channel = env.newChannel("noconsume");
        String id = source.publish(channel, "keep", DirectContext.publication("tck-direct", settings.liveness()));
        E first = waiting.await(
                direct.pollOrAbort(env.newInstance(), channel, env.context()), "L3.3", "a poll of " + channel);
        assertEquals(id, first.id(), "[L3.3] the poll returned another event than the one published");
        Waiting.pause(
                settings.lateConsume()); // a consume scheduled after the poll shows up here, not as a later duplicate
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
        Optional<E> again =
                Waiting.awaitMaybe(direct.pollOrAbort(env.newInstance(), channel, env.context()), settings.liveness());
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
    @Override
    public void required_L3_3_noLossAcrossACrashBeforeTheCheckpoint(
            @ForAll("crashesBeforeTheCheckpoint") List<Step> schedule) throws Exception {
        runSchedule("L3.3", schedule);
    }

    @Test
    @Override
    public void required_L3_4_aCancelledWaitConsumesNothing() throws Exception {
        instantiableOrAbort();
        direct.pollReturnsOrAbort();
        TckRuntime runtime = env.runtime();
        A channel = env.newChannel("cancel");
        String cancelled = runtime.workflowId("cancelled");
        runtime.start(listener(), channel, cancelled);
        Thread.sleep(settings.settle().toMillis());
        runtimes.cancelBounded(runtime, cancelled);
        String next = runtime.workflowId("after-cancel");
        runtimes.expectDeliveredAfter(
                runtime,
                channel,
                next,
                "L3.4",
                "after workflow " + cancelled + " waiting on the same channel was cancelled",
                null);
    }

    @Test
    @Override
    public void required_L3_4_aWaitThatTimesOutConsumesNothing() throws Exception {
        instantiableOrAbort();
        direct.pollReturnsOrAbort();
        TckRuntime runtime = env.runtime();
        A channel = env.newChannel("timeout");
        String timedOut = runtime.workflowId("timed-out");
        WaitResult<E> result = waiting.awaitOutput(
                runtime.startTimed(listener(), channel, timedOut, settings.settle())
                        .output(),
                "L3.4",
                "a wait with a timeout of " + settings.settle().toMillis() + " ms on a channel nobody published into");
        if (!result.timedOut()) {
            throw new TestAbortedException("precondition broken: workflow " + timedOut + " waited on " + channel
                    + ", into which nothing was published, and received "
                    + result.received().map(Event::id).orElse("?")
                    + "; see required_L3_7_concurrentWaitsWithDifferentArgsGetTheirOwnEvents");
        }
        runtimes.expectDeliveredAfter(
                runtime,
                channel,
                runtime.workflowId("after-timeout"),
                "L3.4",
                "after workflow " + timedOut + " waiting on the same channel timed out (a timeout cancels the wait)",
                null);
    }

    @Test
    @Override
    public void required_L3_4_aWaitAbandonedByShutdownConsumesNothing() throws Exception {
        instantiableOrAbort();
        direct.pollReturnsOrAbort();
        TckRuntime runtime = env.runtime();
        A channel = env.newChannel("abandon");
        String workflow = runtime.workflowId("abandoned");
        runtime.start(listener(), channel, workflow);
        Thread.sleep(settings.settle().toMillis());
        runtimes.expectDeliveredAfter(
                runtime,
                channel,
                workflow,
                "L3.4",
                "after the runtime was shut down while " + workflow + " waited, and restarted",
                runtime::closeAndReopen);
    }

    @Test
    @Override
    public void required_L3_4_aWaitCancelledWithTheEventInHandConsumesNothing() {
        instantiableOrAbort();
        requireOrAbort(Capability.DURABLE_CHANNEL);
        A channel = env.newChannel("inhand");
        String id = source.publish(channel, "held", DirectContext.publication("tck-direct", settings.liveness()));
        DirectContext cancelled = env.context();
        E seen = waiting.await(
                direct.pollOrAbort(env.newInstance(), channel, cancelled), "L3.4", "a poll of " + channel);
        if (!seen.id().equals(id)) {
            throw new TestAbortedException("precondition L3.6 broken (a poll got " + seen.id() + ", not the published "
                    + id + "); see required_L3_6_aPublishedEventReachesItsWaitWithinTheBound");
        }
        Waiting.pause(settings.lateConsume());
        if (fixture()
                .committed(channel)
                .map(committed -> committed.contains(id))
                .orElse(false)) {
            throw new TestAbortedException("precondition L3.3 broken (the poll alone consumed " + id
                    + "); L3.4 cannot be" + " judged — see required_L3_3_pollDoesNotConsumeTheEvent");
        }
        cancelled.cancel(); // the wait polled the event but never checkpointed it
        Waiting.pause(settings.lateConsume());
        fixture()
                .committed(channel)
                .ifPresent(
                        committed -> assertTrue(
                                !committed.contains(id),
                                () -> "[L3.4] the source"
                                        + " reports " + id
                                        + " committed after its wait was cancelled with the event in hand (polled, never"
                                        + " checkpointed): the cancel consumed it. onCancel releases what the wait holds; it never commits"));
        Optional<E> next =
                Waiting.awaitMaybe(direct.pollOrAbort(env.newInstance(), channel, env.context()), settings.liveness());
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
    @Override
    public void required_L3_5_aRedeliveredEventCarriesTheSameId() {
        instantiableOrAbort();
        requireOrAbort(Capability.DURABLE_CHANNEL);
        A channel = env.newChannel("sameid");
        source.publish(channel, "same", DirectContext.publication("tck-direct", settings.liveness()));
        E first = waiting.await(
                direct.pollOrAbort(env.newInstance(), channel, env.context()), "L3.5", "a poll of " + channel);
        Optional<E> again =
                Waiting.awaitMaybe(direct.pollOrAbort(env.newInstance(), channel, env.context()), settings.liveness());
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
    @Override
    public void required_L3_6_aPublishedEventReachesItsWaitWithinTheBound() throws Exception {
        instantiableOrAbort();
        TckRuntime runtime = env.runtime();
        List<Boolean> orders = env.supports(Capability.DURABLE_CHANNEL) ? List.of(true, false) : List.of(false);
        for (boolean ahead : orders) {
            A channel = env.newChannel("liveness");
            String workflow = runtime.workflowId("live-" + ahead);
            long start = System.nanoTime();
            CompletableFuture<String> published =
                    ahead ? source.publishAsync(channel, "live", runtime.publication(workflow)) : null;
            if (published != null) {
                published.get(settings.liveness().toMillis(), TimeUnit.MILLISECONDS);
            }
            WorkflowHandle<E> handle = runtime.start(listener(), channel, workflow);
            if (!ahead) {
                published = source.publishAsync(channel, "live", runtime.publication(workflow));
            }
            E got = waiting.awaitOutput(
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
    @Override
    public void required_L3_7_concurrentWaitsWithDifferentArgsGetTheirOwnEvents() throws Exception {
        instantiableOrAbort();
        TckRuntime runtime = env.runtime();
        int count = 4;
        Map<String, A> channels = new LinkedHashMap<>();
        Map<String, WorkflowHandle<E>> handles = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            String workflow = runtime.workflowId("own-" + i);
            A channel = env.newChannel("own-" + i);
            channels.put(workflow, channel);
            handles.put(workflow, runtime.start(listener(), channel, workflow));
        }
        List<String> order = new ArrayList<>(channels.keySet());
        Collections.shuffle(order);
        Map<String, CompletableFuture<String>> published = new LinkedHashMap<>();
        for (String workflow : order) {
            published.put(
                    workflow,
                    source.publishAsync(channels.get(workflow), "for-" + workflow, runtime.publication(workflow)));
        }
        for (String workflow : channels.keySet()) {
            E got = waiting.awaitOutput(
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
    @Override
    public void optional_L3_8_endedWaitsLeaveNothingBehind() throws Exception {
        instantiableOrAbort();
        TckRuntime runtime = env.runtime();
        runtimes.warmUp(runtime);
        Map<Long, String> baseline = TckThreads.census();
        int waits = settings.concurrentWaits();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < waits; i++) {
            String workflow = runtime.workflowId("released-" + i);
            runtime.start(listener(), env.newChannel("released-" + i), workflow);
            ids.add(workflow);
        }
        Thread.sleep(Math.max(200, settings.settle().toMillis()));
        for (String workflow : ids) {
            runtimes.cancelUnlessFinished(runtime, workflow);
        }
        Thread.sleep(Math.max(200, settings.settle().toMillis()));
        var metrics = runtime.hark().metrics();
        List<String> added = TckThreads.added(baseline, TckThreads.census());
        assertTrue(
                metrics.pendingTimers() == 0 && metrics.inboxWaits() == 0 && added.size() <= 2,
                () -> "[L3.8] after " + waits + " cancelled waits the listener left behind " + metrics.pendingTimers()
                        + " timer(s), " + metrics.inboxWaits() + " inbox registration(s), and " + added.size()
                        + " extra thread(s) " + added + "; release what a wait holds in context.onCancel");
    }

    /**
     * Competing waits on one channel of an {@code @UnsharedSource} listener, which the runtime does
     * not claim events for: each event must reach exactly one of them all the same [L3.9].
     */
    @Test
    @Override
    public void required_L3_9_anUnsharedSourceNeverDeliversOneOccurrenceToTwoWaits() throws Exception {
        instantiableOrAbort();
        if (!listener().isAnnotationPresent(UnsharedSource.class)) {
            Assumptions.abort("[L3.9] does not apply: " + listener().getName() + " is not declared @UnsharedSource, so"
                    + " the runtime's claims (R7.1) keep one occurrence from two waits; the outcome is checked by"
                    + " required_L4_5_competingWaitsTakeEachEventOnce");
        }
        runtimes.competeOnOneChannel(true);
    }

    // ---------------------------------------------------------------- 4. Commit

    @Test
    @Override
    public void required_L4_2_eventCheckpointedIsIdempotent() {
        instantiableOrAbort();
        boolean queue =
                env.supports(Capability.DURABLE_CHANNEL) && env.supports(Capability.MULTIPLE_EVENTS_PER_CHANNEL);
        A channel = env.newChannel("idempotent");
        DirectContext context = env.context();
        String first;
        String second = null;
        CompletionStage<E> stage;
        if (queue) {
            first = source.publish(channel, "one", DirectContext.publication("tck-direct", settings.liveness()));
            second = source.publish(channel, "two", DirectContext.publication("tck-direct", settings.liveness()));
            stage = direct.pollOrAbort(env.newInstance(), channel, context);
        } else {
            stage = direct.pollOrAbort(env.newInstance(), channel, context);
            first = source.publish(
                    channel, "one", DirectContext.publication(context.workflowId(), settings.liveness()));
        }
        E event = waiting.await(stage, "L4.2", "a poll of " + channel);
        assertEquals(first, event.id(), "[L4.2] the poll returned another event than the first published");
        direct.commit(env.newInstance(), env.roundTrip(event), "L4.2");
        try {
            direct.commit(env.newInstance(), env.roundTrip(event), "L4.2");
        } catch (AssertionError e) {
            throw new AssertionError(
                    "[L4.2] a repeated eventCheckpointed for " + first + ", already committed, did not"
                            + " succeed; after a crash the runtime calls it again: " + e.getMessage(),
                    e);
        }
        if (queue) {
            Optional<E> next = Waiting.awaitMaybe(
                    direct.pollOrAbort(env.newInstance(), channel, env.context()), settings.liveness());
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
    @Override
    public void required_L4_2_idempotentCommitAcrossACrashInsideTheCommit(
            @ForAll("crashesInsideTheCommit") List<Step> schedule) throws Exception {
        runSchedule("L4.2", schedule);
    }

    @Test
    @Override
    public void optional_L4_3_eventCheckpointedDoesNotBlock() throws Exception {
        instantiableOrAbort();
        A channel = env.newChannel("commitblock");
        DirectContext context = env.context();
        CompletionStage<E> stage = direct.pollOrAbort(env.newInstance(), channel, context);
        source.publish(channel, "c", DirectContext.publication(context.workflowId(), settings.liveness()));
        E event = waiting.await(stage, "L4.3", "a poll of " + channel);
        EventListener<A, E> instance = env.newInstance();
        E copy = env.roundTrip(event);
        Future<CompletionStage<Void>> call = TckThreads.call(() -> instance.eventCheckpointed(copy, context));
        try {
            call.get(settings.nonBlocking().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            fail("[L4.3] eventCheckpointed did not return within "
                    + settings.nonBlocking().toMillis() + " ms; return a"
                    + " stage that completes when the commit is done");
        }
    }

    @Test
    @Override
    public void required_L4_4_aCommittedEventIsNeverDeliveredAgain() {
        instantiableOrAbort();
        requireOrAbort(Capability.MULTIPLE_EVENTS_PER_CHANNEL);
        A channel = env.newChannel("forget");
        DirectContext context = env.context();
        CompletionStage<E> stage = direct.pollOrAbort(env.newInstance(), channel, context);
        String first =
                source.publish(channel, "one", DirectContext.publication(context.workflowId(), settings.liveness()));
        E event = waiting.await(stage, "L4.4", "a poll of " + channel);
        assertEquals(first, event.id(), "[L4.4] the poll returned another event than the one published");
        direct.commit(env.newInstance(), env.roundTrip(event), "L4.4");
        fixture()
                .committed(channel)
                .ifPresent(committed -> assertTrue(
                        committed.contains(first),
                        () -> "[L4.4]" + " eventCheckpointed completed for " + first
                                + " but the source does not report it committed: " + committed));
        DirectContext next = env.context();
        CompletionStage<E> again = direct.pollOrAbort(env.newInstance(), channel, next);
        String second =
                source.publish(channel, "two", DirectContext.publication(next.workflowId(), settings.liveness()));
        E got = waiting.await(again, "L4.4", "the poll after " + first + " was committed");
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
    @Override
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
    @Override
    public void required_L4_5_competingWaitsTakeEachEventOnce() throws Exception {
        instantiableOrAbort();
        runtimes.competeOnOneChannel(listener().isAnnotationPresent(UnsharedSource.class));
    }

    // ---------------------------------------------------------------- crash schedules

    @Provide
    public Arbitrary<List<Step>> crashesBeforeTheCheckpoint() {
        return CrashSchedules.of(settings, CrashPoint.NONE, CrashPoint.BEFORE_CHECKPOINT);
    }

    @Provide
    public Arbitrary<List<Step>> crashesAfterTheCheckpoint() {
        return CrashSchedules.of(
                settings, CrashPoint.NONE, CrashPoint.AFTER_CHECKPOINT, CrashPoint.AFTER_COMMIT_RECORDED);
    }

    @Provide
    public Arbitrary<List<Step>> crashesInsideTheCommit() {
        return CrashSchedules.of(settings, CrashPoint.NONE, CrashPoint.INSIDE_COMMIT, CrashPoint.COMMIT_NOT_RECORDED);
    }

    private void runSchedule(String rule, List<Step> schedule) throws Exception {
        if (!skipProperties) {
            crashes.run(rule, schedule);
        }
    }

    // ---------------------------------------------------------------- preconditions, for TckPropertyHook

    /** Aborts the calling test when the listener cannot even be created (L1.2 / L1.7 are failed elsewhere). */
    final void instantiableOrAbort() {
        env.instantiableOrAbort();
    }

    final void requireOrAbort(Capability capability) {
        env.requireOrAbort(capability, "");
    }

    /** Task functions of the TCK's probe workflows. */
    public static final class Probe {
        private Probe() {}

        public static String ping() {
            return "pong";
        }
    }
}
