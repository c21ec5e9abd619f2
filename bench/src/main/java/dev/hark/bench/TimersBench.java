package dev.hark.bench;

import dev.hark.listeners.timer.TimerListener;
import dev.hark.runtime.Hark;
import dev.hark.runtime.WorkflowHandle;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * N workflows each waiting on a timer due at the same instant; two cases, one line each:
 *
 * <ul>
 *   <li>{@code case=up}: the runtime is up at the due time. Times from the due instant to the
 *       first and to the last workflow SUCCESSFUL.
 *   <li>{@code case=down}: the runtime is closed before the due instant and reopened after it
 *       ({@code bench.downS} later), then {@code resumeAll()}. Times from the start of the reopen to
 *       the first and to the last workflow SUCCESSFUL (so the reopen and the resume are included).
 *       Completions are seen through the futures {@code resumeAll()} returns: one that came while
 *       the call ran counts when it returned, so the first figure is an upper bound.
 * </ul>
 *
 * <p>Each line also gives the process's CPU time over the same span ({@code cpu_s_from_due},
 * {@code cpu_s_from_reopen}): on a machine shared with other work it moves less than wall time.
 *
 * <p>Usage: {@code java -Xmx4g -cp bench/target/hark-bench.jar dev.hark.bench.TimersBench [N]}
 * (default 100,000). Options (system properties): {@code bench.dir} (default /tmp/hark-timers;
 * deleted first), {@code bench.warmup} (workflows of a throw-away round of both cases first,
 * default 10000; 0 for none), {@code bench.leadS} (seconds from the first start to the due
 * instant, default max(5, N / 5000): enough to start and park all N first), {@code bench.downS}
 * (seconds the runtime stays down after the due instant, default 1), {@code bench.inflight}
 * (outstanding {@code started()} futures, default 20000), {@code bench.timeoutS} (default 600).
 */
public final class TimersBench {

    private TimersBench() {}

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0].replace("_", "")) : 100_000;
        Path dir = Path.of(System.getProperty("bench.dir", "/tmp/hark-timers"));
        int warmup = Integer.getInteger("bench.warmup", 10_000);
        long downMillis = Math.round(Double.parseDouble(System.getProperty("bench.downS", "1")) * 1000);
        int inflight = Integer.getInteger("bench.inflight", 20_000);
        long timeoutNanos = Long.getLong("bench.timeoutS", 600) * 1_000_000_000L;

        Runtime rt = Runtime.getRuntime();
        System.out.println("java_version=" + System.getProperty("java.vm.name") + " "
                + System.getProperty("java.runtime.version"));
        System.out.println("jvm_flags="
                + String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()));
        System.out.println("max_heap_mb=" + (rt.maxMemory() >> 20) + " cores=" + rt.availableProcessors());
        if (warmup > 0) {
            Path warmDir = Path.of(dir + "-warmup");
            Options warm = new Options(warmDir, warmup, lead(warmup), downMillis, inflight, timeoutNanos);
            System.out.println("warmup " + upCase(warm));
            System.out.println("warmup " + downCase(warm));
            deleteTree(warmDir);
        }
        Options measured = new Options(dir, n, lead(n), downMillis, inflight, timeoutNanos);
        System.out.println(upCase(measured));
        System.out.println(downCase(measured));
    }

    private record Options(Path dir, int n, Duration lead, long downMillis, int inflight, long timeoutNanos) {}

    private static Duration lead(int n) {
        String given = System.getProperty("bench.leadS");
        double seconds = given != null ? Double.parseDouble(given) : Math.max(5, n / 5000.0);
        return Duration.ofMillis(Math.round(seconds * 1000));
    }

    /** The runtime is up when the timers come due. */
    private static String upCase(Options o) throws Exception {
        deleteTree(o.dir());
        try (Hark hark = Hark.open(o.dir())) {
            Instant due = Instant.now().plus(o.lead());
            long dueNanos = System.nanoTime() + o.lead().toNanos();
            List<CompletableFuture<?>> outputs = new ArrayList<>(o.n());
            long failures = startAll(hark, o, due, outputs);
            boolean parkedBeforeDue = awaitParked(hark, o.n(), dueNanos);
            Completions done = Completions.of(outputs);
            CpuAt cpuAtDue = CpuAt.nanoTime(dueNanos);
            boolean all = done.await(o.timeoutNanos());
            return line("up", o, parkedBeforeDue, failures, done, all, dueNanos, "from_due") + " cpu_s_from_due="
                    + secs(processCpuNanos() - cpuAtDue.await());
        }
    }

    /** The runtime is closed before the due instant and reopened after it. */
    private static String downCase(Options o) throws Exception {
        deleteTree(o.dir());
        Instant due;
        long dueNanos;
        long failures;
        boolean parkedBeforeDue;
        try (Hark hark = Hark.open(o.dir())) {
            due = Instant.now().plus(o.lead());
            dueNanos = System.nanoTime() + o.lead().toNanos();
            failures = startAll(hark, o, due, null);
            parkedBeforeDue = awaitParked(hark, o.n(), dueNanos);
        }
        boolean closedBeforeDue = System.nanoTime() < dueNanos;
        long sleepNanos = dueNanos + TimeUnit.MILLISECONDS.toNanos(o.downMillis()) - System.nanoTime();
        if (sleepNanos > 0) {
            TimeUnit.NANOSECONDS.sleep(sleepNanos);
        }
        long reopenNanos = System.nanoTime();
        long reopenCpu = processCpuNanos();
        try (Hark hark = Hark.open(o.dir())) {
            long opened = System.nanoTime();
            Collection<CompletableFuture<Object>> outputs = hark.resumeAll().values();
            long resumeCall = System.nanoTime() - opened;
            Completions done = Completions.of(outputs);
            boolean all = done.await(o.timeoutNanos());
            return line("down", o, parkedBeforeDue && closedBeforeDue, failures, done, all, reopenNanos, "from_reopen")
                    + " resumed=" + outputs.size()
                    + " reopen_s=" + secs(opened - reopenNanos)
                    + " resume_all_call_s=" + secs(resumeCall)
                    + " cpu_s_from_reopen=" + secs(processCpuNanos() - reopenCpu);
        }
    }

    private static String line(
            String name,
            Options o,
            boolean readyBeforeDue,
            long startFailures,
            Completions done,
            boolean all,
            long fromNanos,
            String from) {
        return "case=" + name
                + " n=" + o.n()
                + " first_successful_s_" + from + "=" + secs(done.first.get() - fromNanos)
                + " all_successful_s_" + from + "=" + (all ? secs(done.last.get() - fromNanos) : "timeout")
                + " successful=" + (done.total - done.failed.get() - done.remaining.getCount())
                + " failed=" + done.failed.get()
                + " start_failures=" + startFailures
                + " ready_before_due=" + readyBeforeDue
                + " load_avg_1m="
                + fmt(ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    /** The process's CPU time read at a given {@link System#nanoTime()}, on a thread of its own. */
    private static final class CpuAt {
        private final CompletableFuture<Long> cpu = new CompletableFuture<>();

        static CpuAt nanoTime(long atNanos) {
            CpuAt at = new CpuAt();
            Thread reader = new Thread(() -> {
                for (long wait; (wait = atNanos - System.nanoTime()) > 0; ) {
                    java.util.concurrent.locks.LockSupport.parkNanos(wait);
                }
                at.cpu.complete(processCpuNanos());
            });
            reader.setDaemon(true);
            reader.start();
            return at;
        }

        long await() {
            return cpu.join();
        }
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** Counts completions of the outputs: when the first and the last came, and failures. */
    private static final class Completions {
        final AtomicLong first = new AtomicLong();
        final AtomicLong last = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        final CountDownLatch remaining;
        final int total;

        private Completions(int total) {
            this.total = total;
            this.remaining = new CountDownLatch(total);
        }

        static Completions of(Collection<? extends CompletableFuture<?>> outputs) {
            Completions c = new Completions(outputs.size());
            for (CompletableFuture<?> output : outputs) {
                output.whenComplete((ok, failure) -> {
                    long now = System.nanoTime();
                    if (failure != null) {
                        if (c.failed.getAndIncrement() == 0) {
                            System.err.println("first failure: " + failure);
                        }
                    } else {
                        c.first.compareAndSet(0, now);
                    }
                    c.last.accumulateAndGet(now, Math::max);
                    c.remaining.countDown();
                });
            }
            return c;
        }

        boolean await(long timeoutNanos) throws InterruptedException {
            return remaining.await(timeoutNanos, TimeUnit.NANOSECONDS) && failed.get() == 0;
        }
    }

    /**
     * Starts {@code o.n()} workflows due at {@code due}, at most {@code o.inflight()} not yet durable;
     * keeps each output when {@code outputs} is given.
     *
     * @return how many starts failed
     */
    private static long startAll(Hark hark, Options o, Instant due, List<CompletableFuture<?>> outputs)
            throws InterruptedException {
        Semaphore permits = new Semaphore(o.inflight());
        AtomicLong failures = new AtomicLong();
        for (int i = 0; i < o.n(); i++) {
            permits.acquire();
            WorkflowHandle<?> handle =
                    hark.start(dev.hark.workflow.Dag.waitForEvent(TimerListener.class, due), "t-" + i);
            handle.started().whenComplete((ok, failure) -> {
                if (failure != null && failures.getAndIncrement() == 0) {
                    System.err.println("first start failure: " + failure);
                }
                permits.release();
            });
            if (outputs != null) {
                outputs.add(handle.output());
            }
        }
        permits.acquire(o.inflight());
        return failures.get();
    }

    /** @return whether all {@code count} timers were parked before {@code dueNanos} */
    private static boolean awaitParked(Hark hark, int count, long dueNanos) throws InterruptedException {
        while (hark.metrics().pendingTimers() < count) {
            if (System.nanoTime() >= dueNanos) {
                System.err.println("not all timers parked by the due time; raise bench.leadS: " + hark.metrics());
                return false;
            }
            Thread.sleep(1);
        }
        return true;
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String secs(long nanos) {
        return fmt(nanos / 1e9);
    }

    private static String fmt(double value) {
        return String.format(Locale.ROOT, "%.3f", value);
    }
}
