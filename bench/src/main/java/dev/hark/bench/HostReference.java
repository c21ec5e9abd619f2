package dev.hark.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Locale;

/**
 * How fast this machine is right now, in the two resources the benches use: CPU ({@link HostSpeed},
 * the median time of a fixed sort) and the disk's flush (the median time of writing 4 KiB to the
 * end of a file and forcing it, which is what a commit's fsync costs). Printed before and after a
 * side-by-side run, so that figures from one run can be told apart from a slow host.
 *
 * <p>Usage: {@code java -cp bench/target/hark-bench.jar dev.hark.bench.HostReference [dir]} (the
 * probe's file is made in {@code dir}, default the system temp folder, on the disk the benches use,
 * and deleted). Prints {@code host_ref_ms}, {@code fsync_p50_us}, {@code fsync_p99_us} and
 * {@code load_avg_1m}.
 */
public final class HostReference {

    private static final int FLUSHES = 200;

    private HostReference() {}

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : System.getProperty("java.io.tmpdir"));
        HostSpeed.referenceMillis(); // the first timings include the JIT; take the second set
        System.out.println(String.format(Locale.ROOT, "host_ref_ms=%.1f", HostSpeed.referenceMillis()));
        long[] flushes = flushNanos(dir);
        System.out.println("fsync_p50_us=" + flushes[FLUSHES / 2] / 1_000);
        System.out.println("fsync_p99_us=" + flushes[FLUSHES * 99 / 100] / 1_000);
        System.out.println(String.format(
                Locale.ROOT,
                "load_avg_1m=%.2f",
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
    }

    /** @return the sorted times of {@link #FLUSHES} appends of 4 KiB, each forced to the disk */
    private static long[] flushNanos(Path dir) throws IOException {
        Path file = Files.createTempFile(dir, "hark-fsync-probe", ".bin");
        long[] nanos = new long[FLUSHES];
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            ByteBuffer page = ByteBuffer.allocate(4096);
            for (int i = 0; i < FLUSHES; i++) {
                page.clear();
                long start = System.nanoTime();
                channel.write(page);
                channel.force(false); // fdatasync, as a WAL commit does
                nanos[i] = System.nanoTime() - start;
            }
        } finally {
            Files.deleteIfExists(file);
        }
        Arrays.sort(nanos);
        return nanos;
    }
}
