package dev.hark.bench;

import dev.hark.runtime.Hark;
import dev.hark.runtime.storage.StoreStats;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The start phase cut into equal slices of durable starts: for each slice, its rate, the CPU per
 * start, the collector's and the JIT compiler's time and the store's writes per commit. One average over the whole phase
 * mixes the ramp (JIT, an empty writer queue, the first collections) with the steady state, so it
 * depends on how long the phase is, that is on N; the slices show which part is which, and
 * {@link #steadyStateRate()} is the rate over the second half.
 *
 * <p>A mark is taken on the thread that completes a {@code started()} future, once per slice: a few
 * MXBean reads and one {@link Hark#metrics()}, nothing per start.
 */
final class StartSlices {

    private final Hark hark;
    private final int count;
    private final int slices;
    private final AtomicInteger durable = new AtomicInteger();
    private final Mark[] marks;

    private record Mark(long nanos, long cpuNanos, long gcMillis, long jitMillis, long writes, long commits) {}

    StartSlices(Hark hark, int count, int slices) {
        this.hark = hark;
        this.count = count;
        this.slices = Math.max(1, Math.min(slices, count));
        this.marks = new Mark[this.slices + 1];
    }

    /** Marks the start of the phase; call just before the first start. */
    void begin() {
        marks[0] = mark();
    }

    /** Counts one durable start; marks the end of a slice when this start completes one. */
    void startDurable() {
        int done = durable.incrementAndGet();
        // slice k ends at the ceiling of k * count / slices durable starts
        int k = (int) ((long) done * slices / count);
        if (k > 0 && done == (int) (((long) k * count + slices - 1) / slices) && marks[k] == null) {
            marks[k] = mark();
        }
    }

    private Mark mark() {
        StoreStats store = hark.metrics().store();
        return new Mark(System.nanoTime(), processCpuNanos(), gcMillis(), jitMillis(), store.writes(), store.commits());
    }

    /** @return durable starts per second over the second half of the slices, or -1 if not all ended */
    double steadyStateRate() {
        int from = slices / 2;
        if (marks[from] == null || marks[slices] == null) {
            return -1;
        }
        return startsBetween(from, slices) / ((marks[slices].nanos - marks[from].nanos) / 1e9);
    }

    private long startsBetween(int from, int to) {
        return ceilDiv((long) to * count, slices) - ceilDiv((long) from * count, slices);
    }

    /** Prints one {@code start_slice.<k>=} line per slice: its share, rate, CPU, GC and batch sizes. */
    void print() {
        for (int k = 1; k <= slices; k++) {
            Mark a = marks[k - 1];
            Mark b = marks[k];
            if (a == null || b == null) {
                System.out.println("start_slice." + k + "=incomplete");
                continue;
            }
            long starts = startsBetween(k - 1, k);
            long commits = b.commits - a.commits;
            System.out.println(String.format(
                    Locale.ROOT,
                    "start_slice.%d=starts_per_s=%.0f cpu_us_per_start=%.1f gc_ms=%d jit_ms=%d writes_per_commit=%.1f"
                            + " ends_at_s=%.3f",
                    k,
                    starts / ((b.nanos - a.nanos) / 1e9),
                    (b.cpuNanos - a.cpuNanos) / 1e3 / starts,
                    b.gcMillis - a.gcMillis,
                    b.jitMillis - a.jitMillis,
                    (double) (b.writes - a.writes) / Math.max(1, commits),
                    (b.nanos - marks[0].nanos) / 1e9));
        }
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    static long gcMillis() {
        long total = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            total += Math.max(0, gc.getCollectionTime());
        }
        return total;
    }

    /** Time the JIT's compiler threads spent compiling so far (all of them added). */
    static long jitMillis() {
        return ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
    }

    /** CPU time of all threads of this JVM (GC and JIT included). */
    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }
}
