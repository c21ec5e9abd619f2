package dev.hark.bench;

import dev.hark.listeners.http.HttpListener;
import dev.hark.runtime.Hark;
import dev.hark.runtime.RuntimeMetrics;
import dev.hark.runtime.http.Credentials;
import dev.hark.runtime.http.HttpSettings;
import dev.hark.workflow.Dag;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * Durable HTTP events under load: parks N workflows, each waiting on its own HTTP key, then
 * delivers N events from C concurrent keep-alive clients over loopback. Every POST is answered only
 * after its event is checkpointed (group-committed with fsync). Prints {@code key=value} lines.
 *
 * <p>Usage: {@code java -cp bench/target/hark-bench.jar dev.hark.bench.HttpEventsBench [N] [clients]}
 * (defaults 100000, 64). The clients are {@link LoadClient}: keep-alive HTTP/1.1 connections driven
 * by one selector thread, one request outstanding per connection, like wrk — so that the client's
 * share of the two cores stays small and the figure measures the runtime.
 */
public final class HttpEventsBench {

    private HttpEventsBench() {}

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int clients = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        Path dir = Path.of(System.getProperty("bench.dir", "/tmp/hark-http-bench"));
        deleteRecursively(dir);
        print("n", n);
        print("clients", clients);
        print("cores", Runtime.getRuntime().availableProcessors());
        print("java", System.getProperty("java.version"));

        int warmup = Integer.getInteger("bench.warmup", 30_000);
        boolean inProcess = Boolean.getBoolean("bench.inProcess");
        print("warmup", warmup);
        print("mode", inProcess ? "in-process (Hark.sendEvent, no HTTP)" : "http");
        print("idempotency_keys", LoadClient.IDEMPOTENT);
        print("bearer_token", LoadClient.TOKEN != null);
        if (!inProcess) {
            print("client_transport", LoadClient.transport());
        }
        if (warmup > 0) {
            Path warmDir = Path.of(dir + "-warmup");
            // Two warm-up rounds, each on its own runtime as the measured one is: closing the
            // first runtime sends its event loop and queues down paths the JIT had never seen,
            // which throws away their compiled code. The second round has them compiled again
            // (shutdown branches included), so the measured round does not pay for it.
            for (int size : new int[] {warmup, Math.max(1, warmup / 6)}) {
                deleteRecursively(warmDir);
                round(warmDir, size, clients, inProcess, false);
            }
            deleteRecursively(warmDir);
        }
        round(dir, n, clients, inProcess, true);
    }

    /** Parks n waits, delivers n events, and prints the figures if asked. */
    private static void round(Path dir, int n, int clients, boolean inProcess, boolean report) throws Exception {
        HttpSettings http = HttpSettings.defaults().withPort(0);
        if (LoadClient.TOKEN != null) {
            http = http.withCredentials(Credentials.parse("events " + LoadClient.TOKEN, "bench.token"));
        }
        Hark.Builder builder = Hark.builder().dataDir(dir).http(http);
        Integer workers = Integer.getInteger("bench.workers");
        if (workers != null) {
            builder.workerThreads(workers);
        }
        try (Hark hark = builder.open()) {
            long parkStart = System.nanoTime();
            park(hark, n);
            double parkSeconds = seconds(System.nanoTime() - parkStart);

            RuntimeMetrics before = hark.metrics();
            int port = hark.httpAddress().orElseThrow().getPort();
            long[] latencies = new long[n];
            AtomicInteger non200 = new AtomicInteger();
            if (report) {
                // a marker for profilers attached from outside: the measured phase starts now
                System.err.println("measuring pid=" + ProcessHandle.current().pid());
            }
            long elapsed;
            long cpu;
            double hostBefore;
            double hostAfter;
            ThreadCosts threadsBefore;
            ThreadCosts threadsAfter;
            // Connected before the snapshots so that its thread is counted; no request sent yet.
            try (LoadClient client = inProcess ? null : new LoadClient(port, n, clients, latencies, non200).open()) {
                // Measured in the warm-up round too, although not printed: the JIT then knows this
                // code (it reads files, as the client reads sockets) before the measured round,
                // instead of recompiling the hot path in the middle of it.
                hostBefore = HostSpeed.referenceMillis();
                threadsBefore = ThreadCosts.available() ? ThreadCosts.snapshot() : null;
                long cpuBefore = processCpuNanos();
                long start = System.nanoTime();
                if (client == null) {
                    sendInProcess(hark, n, clients, latencies, non200);
                } else {
                    client.run();
                }
                elapsed = System.nanoTime() - start;
                cpu = processCpuNanos() - cpuBefore;
                threadsAfter = threadsBefore == null ? null : ThreadCosts.snapshot();
                hostAfter = HostSpeed.referenceMillis();
            }
            awaitFinished(hark);
            RuntimeMetrics after = hark.metrics();
            if (!report) {
                return;
            }
            Arrays.sort(latencies);
            long commits = after.store().commits() - before.store().commits();
            long writes = after.store().writes() - before.store().writes();
            print("park_s", parkSeconds);
            print("events_per_s", Math.round(n / seconds(elapsed)));
            print("latency_p50_ms", millis(latencies[n / 2]));
            print("latency_p99_ms", millis(latencies[(int) Math.min(n - 1, Math.ceil(n * 0.99) - 1)]));
            print("latency_max_ms", millis(latencies[n - 1]));
            print("non_200_replies", non200.get());
            print("cpu_us_per_event", Math.round(cpu / 1e3 / n));
            print(
                    "events_per_s_if_cpu_bound_on_all_cores",
                    Math.round(Runtime.getRuntime().availableProcessors() * 1e9 / ((double) cpu / n)));
            // the same fixed work timed just before and just after: how fast the host was
            print("host_ref_ms_before_after", String.format("%.1f %.1f", hostBefore, hostAfter));
            print(
                    "load_avg_1m",
                    java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                            .getSystemLoadAverage());
            print("store_writes_per_event", String.format("%.2f", (double) writes / n));
            print("fsyncs_per_event", String.format("%.4f", (double) commits / n));
            print("workflows_still_active", after.activeWorkflows());
            if (threadsAfter != null) {
                threadsAfter.printSince(threadsBefore, n);
            }
        }
    }

    private static void park(Hark hark, int n) throws InterruptedException {
        Semaphore inFlight = new Semaphore(20_000);
        for (int i = 0; i < n; i++) {
            inFlight.acquire();
            CompletableFuture<Void> started = hark.start(Dag.waitForEvent(HttpListener.class, "key-" + i), "h-" + i)
                    .started();
            started.whenComplete((ok, failure) -> inFlight.release());
        }
        inFlight.acquire(20_000);
        while (hark.metrics().inboxWaits() < n) {
            Thread.sleep(10);
        }
    }

    /** The same deliveries through {@code Hark.sendEvent}, without HTTP: what the runtime costs alone. */
    private static void sendInProcess(Hark hark, int n, int inFlight, long[] latencies, AtomicInteger non200)
            throws InterruptedException {
        Semaphore permits = new Semaphore(inFlight);
        for (int i = 0; i < n; i++) {
            permits.acquire();
            int index = i;
            long sent = System.nanoTime();
            hark.sendEvent("h-" + i, "key-" + i, java.util.Map.of("n", i), LoadClient.IDEMPOTENT ? "pay-" + i : null)
                    .whenComplete((delivery, failure) -> {
                        latencies[index] = System.nanoTime() - sent;
                        if (!(delivery instanceof dev.hark.runtime.event.Delivery.Accepted)) {
                            non200.incrementAndGet();
                        }
                        permits.release();
                    });
        }
        permits.acquire(inFlight);
    }

    private static void awaitFinished(Hark hark) throws InterruptedException {
        for (int i = 0; i < 6_000 && hark.metrics().activeWorkflows() > 0; i++) {
            Thread.sleep(10);
        }
    }

    /** CPU time of this whole process (all threads, GC and JIT included), clients included. */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean)
                        java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }

    private static String millis(long nanos) {
        return String.format("%.2f", nanos / 1e6);
    }

    private static void print(String key, Object value) {
        System.out.println(key + "=" + value);
    }
}
