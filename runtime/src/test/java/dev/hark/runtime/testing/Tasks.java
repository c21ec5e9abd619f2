package dev.hark.runtime.testing;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** Task functions the tests bind. Static, as task functions must be to survive a restart. */
public final class Tasks {

    public static final AtomicInteger FLAKY_CALLS = new AtomicInteger();
    public static final AtomicInteger COUNTED_CALLS = new AtomicInteger();
    public static volatile boolean healed;

    private Tasks() {}

    public static List<ChannelEvent> gather(ChannelEvent first, ChannelEvent second) {
        return List.of(first, second);
    }

    public static String describe(ChannelEvent event) {
        return "got " + event.id() + " carrying " + event.payload();
    }

    public static String concat(String left, String right) {
        return left + "+" + right;
    }

    public static String shout(String text) {
        return text.toUpperCase();
    }

    public static String failUntilThirdCall(String text) {
        if (FLAKY_CALLS.incrementAndGet() < 3) {
            throw new IllegalStateException("flaky failure " + FLAKY_CALLS.get());
        }
        return text;
    }

    public static String counted(String text) {
        COUNTED_CALLS.incrementAndGet();
        return text;
    }

    public static String failUnlessHealed(String text) {
        if (!healed) {
            throw new IllegalStateException("not healed yet: " + text);
        }
        return text + " healed";
    }

    public static String joinPayloads(
            dev.hark.listeners.http.HttpEvent first, dev.hark.listeners.http.HttpEvent second) {
        return first.eventPayload() + " " + second.eventPayload();
    }

    /** Released by the test: lets a task be in flight while the test acts. */
    public static volatile java.util.concurrent.CountDownLatch gate = new java.util.concurrent.CountDownLatch(0);

    public static final java.util.concurrent.Semaphore GATED_STARTED = new java.util.concurrent.Semaphore(0);

    public static String gated(String text) throws InterruptedException {
        GATED_STARTED.release();
        gate.await();
        return text;
    }

    public static String assertionFails(String text) {
        throw new AssertionError("task code asserted: " + text);
    }

    public static String keyOf(dev.hark.listeners.http.HttpEvent event) {
        return event.eventKey();
    }

    public static String greet(dev.hark.listeners.http.HttpEvent event) {
        return "hello " + event.eventPayload();
    }

    public static String alwaysFail(String text) {
        throw new IllegalStateException("boom: " + text);
    }
}
