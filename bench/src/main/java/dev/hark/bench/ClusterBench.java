package dev.hark.bench;

import dev.hark.listeners.http.HttpListener;
import dev.hark.runtime.Hark;
import dev.hark.runtime.http.HttpSettings;
import dev.hark.runtime.storage.postgres.NodeSettings;
import dev.hark.runtime.storage.postgres.PostgresSettings;
import dev.hark.runtime.storage.postgres.PostgresWorkflowStore;
import dev.hark.runtime.storage.sqlite.SqliteWorkflowStore;
import dev.hark.workflow.Dag;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Durable starts/s and HTTP events/s on one store: SQLite (one node), or PostgreSQL with one or
 * several nodes, each a {@link Hark} runtime of this JVM that joins the database as a node of its
 * own. Starts go round-robin to the nodes; each event goes over HTTP to the node that runs its
 * workflow ({@code bench.route=owner}) or to the next node, which forwards it to the owner
 * ({@code bench.route=any}). Every start and every 200 follows a durable commit. Prints
 * {@code key=value} lines.
 *
 * <p>Usage: {@code java -cp bench/target/hark-bench.jar dev.hark.bench.ClusterBench [N] [clients]}
 * (defaults 20000, 64), with {@code -Dbench.store=sqlite|postgres}, {@code -Dbench.nodes=K}
 * (PostgreSQL only), {@code -Dbench.pg=jdbc:postgresql://HOST:PORT/DB} and the credentials in
 * {@code HARK_PG_USER} / {@code HARK_PG_PASSWORD}. The nodes share this JVM and its cores: the
 * figures say what the database and the runtime sustain together on this machine, not what K
 * machines would.
 */
public final class ClusterBench {

    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private ClusterBench() {}

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int clients = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        String store = System.getProperty("bench.store", "sqlite");
        int nodes = store.equals("sqlite") ? 1 : Integer.getInteger("bench.nodes", 1);
        boolean forwarded = System.getProperty("bench.route", "owner").equals("any") && nodes > 1;
        int warmup = Integer.getInteger("bench.warmup", Math.min(n, 5_000));
        Path dir = Path.of(System.getProperty("bench.dir", "/tmp/hark-cluster-bench"));
        print("store", store);
        print("nodes", nodes);
        print("route", forwarded ? "any node (forwarded to the owner)" : "owner");
        print("n", n);
        print("clients", clients);
        print("cores", Runtime.getRuntime().availableProcessors());

        List<Hark> harks = new ArrayList<>();
        try {
            String run = Long.toString(System.currentTimeMillis(), 36); // ids of earlier runs stay apart
            for (int i = 0; i < nodes; i++) {
                Path data = dir.resolve("node-" + i);
                HttpEventsBench.deleteRecursively(data);
                harks.add(open(store, data, "bench-" + i));
            }
            if (warmup > 0) {
                round(harks, "w" + run, warmup, clients, forwarded, false);
            }
            round(harks, "m" + run, n, clients, forwarded, true);
        } finally {
            for (Hark hark : harks) {
                hark.close();
            }
        }
    }

    private static Hark open(String store, Path data, String name) {
        Hark.Builder builder =
                Hark.builder().dataDir(data).http(HttpSettings.defaults().withPort(0));
        if (store.equals("postgres")) {
            String url = System.getProperty("bench.pg");
            if (url == null) {
                throw new IllegalArgumentException("-Dbench.pg=jdbc:postgresql://HOST:PORT/DB is needed for postgres");
            }
            PostgresSettings settings = PostgresSettings.fromEnvironment(url, System::getenv);
            builder.store(folder -> PostgresWorkflowStore.open(
                    settings,
                    PostgresWorkflowStore.DEFAULT_QUEUE_CAPACITY,
                    new NodeSettings(name, NodeSettings.DEFAULT_LEASE)));
        } else {
            builder.store(SqliteWorkflowStore::open);
        }
        return builder.open();
    }

    private static void round(List<Hark> harks, String prefix, int n, int clients, boolean forwarded, boolean report)
            throws Exception {
        int nodes = harks.size();
        Semaphore inFlight = new Semaphore(2_000);
        long startsBegin = System.nanoTime();
        for (int i = 0; i < n; i++) {
            inFlight.acquire();
            harks.get(i % nodes)
                    .start(Dag.waitForEvent(HttpListener.class, "k"), prefix + "-" + i)
                    .started()
                    .whenComplete((ok, failure) -> inFlight.release());
        }
        inFlight.acquire(2_000);
        long startsElapsed = System.nanoTime() - startsBegin;
        inFlight.release(2_000);
        while (harks.stream().mapToInt(h -> h.metrics().inboxWaits()).sum() < n) {
            Thread.sleep(10);
        }

        Semaphore permits = new Semaphore(clients);
        AtomicInteger non200 = new AtomicInteger();
        long eventsBegin = System.nanoTime();
        for (int i = 0; i < n; i++) {
            permits.acquire();
            Hark to = harks.get((i + (forwarded ? 1 : 0)) % nodes);
            String id = prefix + "-" + i;
            HttpRequest request = HttpRequest.newBuilder(URI.create(
                            "http://127.0.0.1:" + to.httpAddress().orElseThrow().getPort() + "/event/send_event/" + id))
                    .header("Content-Type", "application/json")
                    .header("Idempotency-Key", "e-" + id)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"event_key\":\"k\",\"event_payload\":" + i + "}"))
                    .build();
            CompletableFuture<HttpResponse<Void>> sent =
                    CLIENT.sendAsync(request, HttpResponse.BodyHandlers.discarding());
            sent.whenComplete((response, failure) -> {
                if (failure != null || response.statusCode() != 200) {
                    non200.incrementAndGet();
                }
                permits.release();
            });
        }
        permits.acquire(clients);
        long eventsElapsed = System.nanoTime() - eventsBegin;
        if (!report) {
            return;
        }
        print("starts_per_s_durable", Math.round(n / (startsElapsed / 1e9)));
        print("events_per_s_durable", Math.round(n / (eventsElapsed / 1e9)));
        print("non_200_replies", non200.get());
        print("load_avg_1m", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    private static void print(String key, Object value) {
        System.out.println(key + "=" + value);
    }
}
