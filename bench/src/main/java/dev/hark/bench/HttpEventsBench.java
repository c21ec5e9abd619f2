package dev.hark.bench;

import dev.hark.listeners.http.HttpListener;
import dev.hark.runtime.Hark;
import dev.hark.runtime.RuntimeMetrics;
import dev.hark.runtime.http.HttpSettings;
import dev.hark.runtime.workflow.Dag;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * Durable HTTP events under load: parks N workflows, each waiting on its own HTTP key, then
 * delivers N events from C concurrent keep-alive clients over loopback. Every POST is answered only
 * after its event is checkpointed (group-committed with fsync). Prints {@code key=value} lines.
 *
 * <p>Usage: {@code java -jar bench/target/hark-bench.jar http [N] [clients]} (defaults 100000, 64).
 * The clients are plain sockets speaking HTTP/1.1 keep-alive, so that the figure measures the
 * runtime rather than a client library.
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

        try (Hark hark = Hark.builder().dataDir(dir).http(HttpSettings.defaults().withPort(0)).open()) {
            long parkStart = System.nanoTime();
            park(hark, n);
            print("park_s", seconds(System.nanoTime() - parkStart));

            RuntimeMetrics before = hark.metrics();
            int port = hark.httpAddress().orElseThrow().getPort();
            long[] latencies = new long[n];
            AtomicInteger next = new AtomicInteger();
            AtomicInteger non200 = new AtomicInteger();
            List<Thread> threads = new ArrayList<>();
            long start = System.nanoTime();
            for (int c = 0; c < clients; c++) {
                Thread thread = new Thread(() -> client(port, n, next, latencies, non200), "client-" + c);
                threads.add(thread);
                thread.start();
            }
            for (Thread thread : threads) {
                thread.join();
            }
            long elapsed = System.nanoTime() - start;
            awaitFinished(hark);
            RuntimeMetrics after = hark.metrics();

            Arrays.sort(latencies);
            long commits = after.store().commits() - before.store().commits();
            long writes = after.store().writes() - before.store().writes();
            print("events_per_s", Math.round(n / seconds(elapsed)));
            print("latency_p50_ms", millis(latencies[n / 2]));
            print("latency_p99_ms", millis(latencies[(int) Math.min(n - 1, Math.ceil(n * 0.99) - 1)]));
            print("latency_max_ms", millis(latencies[n - 1]));
            print("non_200_replies", non200.get());
            print("store_writes_per_event", String.format("%.2f", (double) writes / n));
            print("fsyncs_per_event", String.format("%.4f", (double) commits / n));
            print("workflows_still_active", after.activeWorkflows());
        }
    }

    private static void park(Hark hark, int n) throws InterruptedException {
        Semaphore inFlight = new Semaphore(20_000);
        for (int i = 0; i < n; i++) {
            inFlight.acquire();
            CompletableFuture<Void> started =
                    hark.start(Dag.waitForEvent(HttpListener.class, "key-" + i), "h-" + i).started();
            started.whenComplete((ok, failure) -> inFlight.release());
        }
        inFlight.acquire(20_000);
        while (hark.metrics().inboxWaits() < n) {
            Thread.sleep(10);
        }
    }

    private static void client(int port, int n, AtomicInteger next, long[] latencies, AtomicInteger non200) {
        try (Socket socket = new Socket()) {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress("127.0.0.1", port));
            OutputStream out = socket.getOutputStream();
            InputStream in = new BufferedInputStream(socket.getInputStream());
            for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
                byte[] body = ("{\"event_key\":\"key-" + i + "\",\"event_payload\":{\"n\":" + i + "}}")
                        .getBytes(StandardCharsets.UTF_8);
                byte[] head = ("POST /event/send_event/h-" + i + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        + "Content-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII);
                long sent = System.nanoTime();
                out.write(head);
                out.write(body);
                out.flush();
                int status = readResponse(in);
                latencies[i] = System.nanoTime() - sent;
                if (status != 200) {
                    non200.incrementAndGet();
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("client failed", e);
        }
    }

    /** Reads one HTTP/1.1 response with a Content-Length body; returns its status. */
    private static int readResponse(InputStream in) throws IOException {
        String statusLine = readLine(in);
        int status = Integer.parseInt(statusLine.split(" ")[1]);
        int length = 0;
        for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
            int colon = line.indexOf(':');
            if (line.substring(0, colon).equalsIgnoreCase("Content-Length")) {
                length = Integer.parseInt(line.substring(colon + 1).trim());
            }
        }
        in.readNBytes(length);
        return status;
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new IOException("connection closed");
            }
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }

    private static void awaitFinished(Hark hark) throws InterruptedException {
        for (int i = 0; i < 6_000 && hark.metrics().activeWorkflows() > 0; i++) {
            Thread.sleep(10);
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
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
