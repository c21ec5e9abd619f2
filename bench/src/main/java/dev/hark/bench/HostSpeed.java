package dev.hark.bench;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A fixed piece of single-threaded work (sorting the same million random ints), timed: a reference
 * for how fast this machine is right now. The machines we measure on are virtual and their speed
 * moves by 10–30 % within minutes; printing this next to a figure tells a slow run of the code from
 * a run on a slow host.
 */
final class HostSpeed {

    private static final int[] INPUT = new SplittableRandom(42).ints(1 << 20).toArray();
    /** Read by nobody; written so that the JIT cannot drop the sort. */
    private static volatile int sink;

    private HostSpeed() {}

    /** @return the median of five timings of the reference work, in milliseconds */
    static double referenceMillis() {
        long[] nanos = new long[5];
        for (int i = 0; i < nanos.length; i++) {
            int[] copy = INPUT.clone();
            long start = System.nanoTime();
            Arrays.sort(copy);
            nanos[i] = System.nanoTime() - start;
            sink = copy[copy.length / 2];
        }
        Arrays.sort(nanos);
        return nanos[nanos.length / 2] / 1e6;
    }
}
