package dev.hark.tck;

import dev.hark.api.Event;
import dev.hark.api.EventListener;
import dev.hark.runtime.testkit.StoredForms;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.opentest4j.TestAbortedException;

/**
 * What one test of the kit works with: the listener under test, the author's fixture (created on
 * first use), fresh channels, instances and contexts, and the runtimes the test opened — all
 * released after the test. A precondition the listener breaks aborts the test here, naming it.
 */
final class TckEnvironment<A, E extends Event> {

    private static final AtomicLong NAMES = new AtomicLong();

    private final Supplier<Class<? extends EventListener<A, E>>> listener;
    private final Callable<SourceFixture<A>> createFixture;
    private final TckSettings settings;
    private final List<DirectContext> contexts = new ArrayList<>();
    private final List<AutoCloseable> runtimes = new ArrayList<>();
    private SourceFixture<A> fixture;

    TckEnvironment(
            Supplier<Class<? extends EventListener<A, E>>> listener,
            Callable<SourceFixture<A>> createFixture,
            TckSettings settings) {
        this.listener = listener;
        this.createFixture = createFixture;
        this.settings = settings;
    }

    Class<? extends EventListener<A, E>> listener() {
        return listener.get();
    }

    TckSettings settings() {
        return settings;
    }

    SourceFixture<A> fixture() {
        if (fixture == null) {
            try {
                fixture = createFixture.call();
            } catch (Exception e) {
                throw new IllegalStateException("createFixture() failed: " + e, e);
            }
        }
        return fixture;
    }

    boolean supports(Capability capability) {
        return !fixture().unsupported().containsKey(capability);
    }

    void requireOrAbort(Capability capability, String note) {
        String reason = fixture().unsupported().get(capability);
        if (reason != null) {
            throw new TestAbortedException("the source does not support " + capability + ": " + reason + note);
        }
    }

    /** Aborts the calling test when the listener's class is not one the runtime can use (L1.1 is failed elsewhere). */
    void shapeOrAbort() {
        try {
            StoredForms.of(listener());
        } catch (IllegalArgumentException e) {
            if (String.valueOf(e.getMessage()).contains("[L1.1]")) {
                throw new TestAbortedException("precondition L1.1 broken (" + e.getMessage() + "); see"
                        + " required_L1_1_isAPublicConcreteTopLevelOrStaticNestedClass");
            }
        }
    }

    /** Aborts the calling test when the listener cannot even be created (L1.2 / L1.7 are failed elsewhere). */
    void instantiableOrAbort() {
        try {
            StoredForms.of(listener());
            listener().getConstructor().newInstance();
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            throw new TestAbortedException("precondition L1.2 broken (the listener cannot be created: " + e
                    + "); see required_L1_2_hasAPublicNoArgConstructor");
        }
    }

    StoredForms storedFormsOrAbort() {
        instantiableOrAbort();
        return StoredForms.of(listener());
    }

    @SuppressWarnings("unchecked")
    EventListener<A, E> newInstance() {
        try {
            return (EventListener<A, E>) listener().getConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new TestAbortedException("precondition L1.2 broken: " + e);
        }
    }

    /** @return arguments that address a fresh channel, named so that a leftover is traced to its test */
    A newChannel(String label) {
        return fixture()
                .newChannel("tck" + ProcessHandle.current().pid() + "-" + label + "-" + NAMES.incrementAndGet());
    }

    /** @return the context of one direct wait, cancelled after the test */
    DirectContext context() {
        DirectContext context = new DirectContext("tck-direct-" + NAMES.incrementAndGet(), "wait");
        contexts.add(context);
        return context;
    }

    /** @return a real runtime over a fresh folder, dropped after the test */
    TckRuntime runtime() {
        TckRuntime runtime = new TckRuntime(settings.liveness(), listener());
        runtimes.add(runtime);
        return runtime;
    }

    /** @return {@code event} through JSON, as the runtime hands a checkpointed event to the commit */
    @SuppressWarnings("unchecked")
    E roundTrip(E event) {
        return (E) StoredForms.of(listener()).roundTripEvent(event);
    }

    void release() throws Exception {
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
}
