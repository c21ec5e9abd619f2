package dev.hark.bench;

import dev.hark.listeners.timer.TimerListener;
import dev.hark.runtime.Hark;
import dev.hark.runtime.RuntimeMetrics;
import dev.hark.runtime.WorkflowHandle;
import dev.hark.runtime.storage.StoreStats;
import dev.hark.workflow.Dag;
import dev.hark.workflow.Node;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Parks N workflows on far-future timers in one runtime and prints, one {@code key=value} a line:
 * durable start throughput, time until all are parked, heap per parked wait, live threads, store
 * writes and commits; then closes the runtime, reopens the folder and times {@code resumeAll()}.
 *
 * <p>Usage: {@code java -Xmx6g -jar bench/target/hark-bench.jar N}. Options (system properties):
 * {@code bench.dir} (default /tmp/hark-bench; deleted first), {@code bench.warmup} (starts in a
 * throw-away runtime before measuring, default 20000), {@code bench.inflight} (outstanding
 * {@code started()} futures, default 20000), {@code bench.sharedDag} (reuse one DAG object for every
 * start instead of building one per start with its own deadline, default false),
 * {@code bench.resume} (default true), {@code bench.parkTimeoutS} (default 600),
 * {@code bench.histogram} (print that many rows of a live-object class histogram to stderr once all
 * are parked, default 0), {@code bench.slices} (equal slices of the start phase reported with their
 * own rate, CPU, GC and batch size, default 10; {@code starts_per_s_steady} is the rate over the second
 * half), {@code bench.idleS} (seconds to measure the idle cost of the N parked waits, default 0).
 */
public final class ParkedWaitsBench {

    /** 2100-01-01T00:00:00Z: far enough that no timer fires during a run. */
    private static final Instant FAR_FUTURE = Instant.parse("2100-01-01T00:00:00Z");

    private ParkedWaitsBench() {}

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0].replace("_", "")) : 100_000;
        Path dir = Path.of(System.getProperty("bench.dir", "/tmp/hark-bench"));
        int warmup = Integer.getInteger("bench.warmup", 20_000);
        int inflight = Integer.getInteger("bench.inflight", 20_000);
        boolean sharedDag = Boolean.getBoolean("bench.sharedDag");
        boolean resume = Boolean.parseBoolean(System.getProperty("bench.resume", "true"));
        long parkTimeoutNanos = Long.getLong("bench.parkTimeoutS", 600) * 1_000_000_000L;

        Runtime rt = Runtime.getRuntime();
        put("java_version", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        put("jvm_flags", String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()));
        put("max_heap_mb", rt.maxMemory() >> 20);
        put("cores", rt.availableProcessors());
        put("load_avg_1m", fmt(ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
        put("n", n);
        put("inflight", inflight);
        put("shared_dag", sharedDag);
        put("dir", dir.toAbsolutePath());

        // ---- warm-up: same code paths (start, park, close, reopen, resumeAll) in a throw-away folder
        Path warmDir = Path.of(dir + "-warmup");
        long w0 = System.nanoTime();
        int warmupRounds = Integer.getInteger("bench.warmupRounds", 1);
        for (int round = 0; warmup > 0 && round < warmupRounds; round++) {
            deleteTree(warmDir);
            try (Hark hark = Hark.open(warmDir)) {
                startAll(hark, warmup, inflight, sharedDag, "warm-", null);
                awaitParked(hark, warmup, parkTimeoutNanos);
            }
            try (Hark hark = Hark.open(warmDir)) {
                hark.resumeAll();
                awaitParked(hark, warmup, parkTimeoutNanos);
            }
            deleteTree(warmDir);
        }
        put("warmup_starts", warmup);
        put("warmup_rounds", warmupRounds);
        put("warmup_s", secs(System.nanoTime() - w0));

        // ---- measured: start N
        deleteTree(dir);
        long heapNoRuntime = usedHeapAfterGc();
        int threadsNoRuntime = liveThreads();
        Hark hark = Hark.open(dir);
        long heapBefore = usedHeapAfterGc();
        int threadsBefore = liveThreads();
        put("heap_used_no_runtime_mb", mb(heapNoRuntime));
        put("heap_used_before_mb", mb(heapBefore));
        put("live_threads_no_runtime", threadsNoRuntime);
        put("live_threads_before", threadsBefore);

        long gc0 = gcMillis();
        long cpu0 = processCpuNanos();
        long t0 = System.nanoTime();
        StartSlices slices = new StartSlices(hark, n, Integer.getInteger("bench.slices", 10));
        long clientCpu0 = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
        long failures = startAll(hark, n, inflight, sharedDag, "wf-", slices);
        // this thread's own CPU: building each DAG and Hark.start, the caller's share of a start
        long clientCpu = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - clientCpu0;
        long tDurable = System.nanoTime() - t0;
        boolean parked = awaitParked(hark, n, parkTimeoutNanos);
        long tParked = System.nanoTime() - t0;
        long gcDuringStart = gcMillis() - gc0;
        long cpuDuringStart = processCpuNanos() - cpu0;
        RuntimeMetrics m = hark.metrics();
        put("start_failures", failures);
        put("starts_per_s_durable", fmt(n / (tDurable / 1e9)));
        put("starts_per_s_steady", fmt(slices.steadyStateRate()));
        put("client_cpu_us_per_start", fmt(clientCpu / 1e3 / n));
        put("start_durable_s", secs(tDurable));
        put("all_parked", parked);
        put("all_parked_s", secs(tParked));
        put("parked_per_s", fmt(n / (tParked / 1e9)));
        put("gc_ms_during_start", gcDuringStart);
        put("cpu_us_per_start", fmt(cpuDuringStart / 1e3 / n));
        slices.print();
        put("active_workflows", m.activeWorkflows());
        put("pending_timers", m.pendingTimers());
        put("store_writes", m.store().writes());
        put("store_commits", m.store().commits());
        put(
                "writes_per_commit",
                fmt((double) m.store().writes() / Math.max(1, m.store().commits())));

        long heapParked = usedHeapAfterGc();
        int threadsAfter = liveThreads();
        put("heap_used_parked_mb", mb(heapParked));
        put("heap_per_parked_wait_bytes", (heapParked - heapBefore) / n);
        put("live_threads_after", threadsAfter);
        put("db_bytes_per_workflow", dbBytes(dir) / n);
        printHistogram(Integer.getInteger("bench.histogram", 0));
        measureIdle(hark, Integer.getInteger("bench.idleS", 0));

        if (!resume) {
            hark.close();
            return;
        }

        // ---- restart: close, reopen the same folder, resume everything
        long closeCpu0 = processCpuNanos();
        long c0 = System.nanoTime();
        hark.close();
        put("close_s", secs(System.nanoTime() - c0));
        put("close_cpu_s", secs(processCpuNanos() - closeCpu0));
        hark = null;
        m = null;
        usedHeapAfterGc();

        long o0 = System.nanoTime();
        hark = Hark.open(dir); // marks the N RUNNING workflows RESUMABLE
        put("reopen_s", secs(System.nanoTime() - o0));
        long heapBeforeResume = usedHeapAfterGc();
        int threadsBeforeResume = liveThreads();

        long gcResume0 = gcMillis();
        long cpuResume0 = processCpuNanos();
        long r0 = System.nanoTime();
        Map<String, CompletableFuture<Object>> resumed = hark.resumeAll();
        long tCall = System.nanoTime() - r0;
        int resumedCount = resumed.size();
        resumed = null; // the bench keeps no per-workflow references
        boolean reparked = awaitParked(hark, n, parkTimeoutNanos);
        long tResume = System.nanoTime() - r0;
        put("resumed", resumedCount);
        put("resume_all_call_s", secs(tCall));
        put("resume_all_s", secs(tResume));
        put("all_reparked", reparked);
        put("gc_ms_during_resume", gcMillis() - gcResume0);
        put("cpu_us_per_resume", fmt((processCpuNanos() - cpuResume0) / 1e3 / n));
        long heapResumed = usedHeapAfterGc();
        put("heap_used_resumed_mb", mb(heapResumed));
        put("heap_per_parked_wait_after_resume_bytes", (heapResumed - heapBeforeResume) / n);
        put("live_threads_before_resume", threadsBeforeResume);
        put("live_threads_after_resume", liveThreads());
        hark.close();
    }

    /**
     * Starts {@code count} workflows, at most {@code inflight} of them not yet durable; keeps no
     * handle. Returns when every {@code started()} future completed.
     *
     * @return how many starts failed
     */
    private static long startAll(
            Hark hark, int count, int inflight, boolean sharedDag, String prefix, StartSlices slices)
            throws InterruptedException {
        Semaphore permits = new Semaphore(inflight);
        AtomicLong failures = new AtomicLong();
        Node<?> shared = Dag.waitForEvent(TimerListener.class, FAR_FUTURE);
        if (slices != null) {
            slices.begin();
        }
        for (int i = 0; i < count; i++) {
            Node<?> dag = sharedDag ? shared : Dag.waitForEvent(TimerListener.class, FAR_FUTURE.plusMillis(i));
            permits.acquire();
            WorkflowHandle<?> handle = hark.start(dag, prefix + i);
            handle.started().whenComplete((ok, failure) -> {
                if (failure != null && failures.getAndIncrement() == 0) {
                    System.err.println("first start failure: " + failure);
                }
                if (slices != null) {
                    slices.startDurable();
                }
                permits.release();
            });
        }
        permits.acquire(inflight);
        return failures.get();
    }

    private static boolean awaitParked(Hark hark, int count, long timeoutNanos) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutNanos;
        while (hark.metrics().pendingTimers() < count) {
            if (System.nanoTime() > deadline) {
                System.err.println("timed out: " + hark.metrics());
                return false;
            }
            Thread.sleep(1);
        }
        return true;
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /**
     * What N parked waits cost while nothing happens: the process's CPU (all threads: timers,
     * writer, GC, JIT) and the store's writes and commits over {@code seconds}.
     */
    private static void measureIdle(Hark hark, int seconds) throws InterruptedException {
        if (seconds <= 0) {
            return;
        }
        StoreStats before = hark.metrics().store();
        long cpu0 = processCpuNanos();
        long t0 = System.nanoTime();
        Thread.sleep(seconds * 1000L);
        double wall = (System.nanoTime() - t0) / 1e9;
        StoreStats after = hark.metrics().store();
        put("idle_s", fmt(wall));
        put("idle_cpu_cores", fmt((processCpuNanos() - cpu0) / 1e9 / wall));
        put("idle_store_commits_per_s", fmt((after.commits() - before.commits()) / wall));
        put("idle_store_writes_per_s", fmt((after.writes() - before.writes()) / wall));
    }

    /** Prints the top {@code lines} of a class histogram of live objects to stderr. */
    private static void printHistogram(int lines) {
        if (lines <= 0) {
            return;
        }
        try {
            Object out = ManagementFactory.getPlatformMBeanServer()
                    .invoke(
                            new javax.management.ObjectName("com.sun.management:type=DiagnosticCommand"),
                            "gcClassHistogram",
                            new Object[] {new String[0]},
                            new String[] {String[].class.getName()});
            String[] rows = String.valueOf(out).split("\n");
            for (int i = 0; i < Math.min(rows.length, lines + 3); i++) {
                System.err.println(rows[i]);
            }
        } catch (Exception e) {
            System.err.println("no histogram: " + e);
        }
    }

    private static int liveThreads() {
        return ManagementFactory.getThreadMXBean().getThreadCount();
    }

    private static long gcMillis() {
        long total = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            total += Math.max(0, gc.getCollectionTime());
        }
        return total;
    }

    /** CPU time of all threads of this JVM (GC and JIT included): robust to other load on the box. */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static long dbBytes(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().startsWith("hark.db"))
                    .mapToLong(p -> p.toFile().length())
                    .sum();
        } catch (IOException e) {
            return -1;
        }
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

    private static void put(String key, Object value) {
        System.out.println(key + "=" + value);
    }

    private static String secs(long nanos) {
        return fmt(nanos / 1e9);
    }

    private static String mb(long bytes) {
        return fmt(bytes / 1048576.0);
    }

    private static String fmt(double value) {
        return String.format(Locale.ROOT, "%.3f", value);
    }
}
