package dev.hark.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hark.kafka.demo.HttpOneDefinition;
import dev.hark.kafka.demo.KafkaOrdersDefinition;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * The plugin as a user installs it: its built folder copied into {@code plugins/} of {@code hark
 * serve} (the distribution's jar, a child process), with a workflow definition dropped next to it.
 * Workflows wait on a topic; a plain producer publishes; the server is SIGKILLed and restarted while
 * they consume. Every record reaches exactly one workflow, none is lost, and the group's committed
 * offsets reach the end of every partition.
 *
 * <p>In the suite: 20 workflows × 5 records, 2 kills. The soak runs the same test bigger:
 * {@code -Dhark.kafka.serve.workflows=1000 -Dhark.kafka.serve.records=10 -Dhark.kafka.serve.kills=5}
 * (see bench/README.md).
 */
class KafkaServeIT {

    private static final Pattern LISTENING = Pattern.compile("Listening on (http://[0-9.]+:[0-9]+)");
    private static final ObjectMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final int PARTITIONS = 3;

    @TempDir
    Path dir;

    private final List<Process> servers = new ArrayList<>();
    private int started;

    @AfterEach
    void stopServers() {
        servers.forEach(Process::destroyForcibly);
    }

    @Test
    void workflowsInHarkServeTakeEveryRecordExactlyOnceAcrossKills() throws Exception {
        int workflows = Integer.getInteger("hark.kafka.serve.workflows", 20);
        int perWorkflow = Integer.getInteger("hark.kafka.serve.records", 5);
        int kills = Integer.getInteger("hark.kafka.serve.kills", 2);
        int records = workflows * perWorkflow;
        KafkaBroker broker = KafkaBroker.shared();
        String topic = "orders-" + System.nanoTime();
        String group = "hark-orders";
        broker.createTopic(topic, PARTITIONS);
        Path plugins = installPlugin();
        Path data = dir.resolve("data");

        String url = serve(plugins, data);
        long start = System.nanoTime();
        for (int w = 0; w < workflows; w++) {
            Map<String, Object> input = new LinkedHashMap<>();
            input.put("bootstrap", broker.bootstrap());
            input.put("topic", topic);
            input.put("group", group);
            input.put("count", perWorkflow);
            post(url + "/workflows", Map.of("definition", "kafka-orders", "workflow_id", "order-" + w, "input", input));
        }
        Set<String> published = ConcurrentHashMap.newKeySet();
        Thread producer = new Thread(() -> {
            try {
                List<java.util.concurrent.Future<RecordMetadata>> sent = new ArrayList<>();
                for (int i = 0; i < records; i++) {
                    sent.add(broker.producer().send(new ProducerRecord<>(topic, "k" + i, "{\"n\": " + i + "}")));
                    if (i % 50 == 49) {
                        Thread.sleep(10);
                    }
                }
                for (var f : sent) {
                    RecordMetadata m = f.get(60, TimeUnit.SECONDS);
                    published.add(KafkaEvent.idOf(m.topic(), m.partition(), m.offset(), group));
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        producer.start();
        for (int k = 0; k < kills; k++) {
            Thread.sleep(700 + 300L * k);
            Process server = servers.get(servers.size() - 1);
            server.destroyForcibly(); // SIGKILL
            assertTrue(server.waitFor(30, TimeUnit.SECONDS));
            url = serve(plugins, data);
        }
        producer.join(120_000);
        assertEquals(records, published.size(), "the producer's sends");

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Math.max(120, records / 20));
        Map<String, List<String>> taken = new HashMap<>();
        for (int w = 0; w < workflows; w++) {
            String id = "order-" + w;
            while (true) {
                JsonNode status = get(url + "/workflows/" + id);
                String s = status.get("status").asString();
                if (s.equals("SUCCESSFUL")) {
                    break;
                }
                assertTrue(!s.equals("FAILED") && !s.equals("CANCELED"), id + ": " + status);
                assertTrue(System.nanoTime() < deadline, id + " did not finish: " + status);
                Thread.sleep(100);
            }
            List<String> ids = new ArrayList<>();
            get(url + "/workflows/" + id + "/output").get("output").forEach(n -> ids.add(n.asString()));
            assertEquals(perWorkflow, ids.size(), id + " took " + ids);
            taken.put(id, ids);
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        Map<String, String> owner = new HashMap<>();
        for (var e : taken.entrySet()) {
            for (String record : e.getValue()) {
                String before = owner.put(record, e.getKey());
                assertTrue(before == null, record + " reached two workflows: " + before + " and " + e.getKey());
            }
        }
        Set<String> lost = new HashSet<>(published);
        lost.removeAll(owner.keySet());
        assertEquals(Set.of(), lost, "records no workflow took");
        assertEquals(published, owner.keySet(), "records no producer sent");
        Map<Integer, Long> end = broker.endOffsets(topic, PARTITIONS);
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!broker.committed(group, topic, PARTITIONS).equals(end) && System.nanoTime() < until) {
            Thread.sleep(100);
        }
        assertEquals(
                end, broker.committed(group, topic, PARTITIONS), "the group's offsets reach every partition's end");
        System.out.printf(
                "KafkaServeIT: %d workflows took %d records exactly once across %d SIGKILLs in %d ms%n",
                workflows, records, kills, millis);
    }

    /**
     * The bench (skipped unless {@code -Dhark.kafka.bench=true}): in one {@code hark serve}, records/s
     * taken into workflows with a durable checkpoint and commit, then HTTP events/s into parked
     * workflows (200 once checkpointed). Sizes: {@code hark.kafka.bench.records} (10,000; 1,000
     * workflows of 10 records) and {@code hark.kafka.bench.events} (10,000, 64 in flight).
     */
    @Test
    void bench() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                Boolean.getBoolean("hark.kafka.bench"), "a bench: -Dhark.kafka.bench=true");
        int records = Integer.getInteger("hark.kafka.bench.records", 10_000);
        int events = Integer.getInteger("hark.kafka.bench.events", 10_000);
        int perWorkflow = 10;
        KafkaBroker broker = KafkaBroker.shared();
        String topic = "bench-" + System.nanoTime();
        broker.createTopic(topic, PARTITIONS);
        String url = serve(installPlugin(), dir.resolve("data"));
        for (int w = 0; w < records / perWorkflow; w++) {
            Map<String, Object> input = new LinkedHashMap<>();
            input.put("bootstrap", broker.bootstrap());
            input.put("topic", topic);
            input.put("group", "bench");
            input.put("count", perWorkflow);
            post(url + "/workflows", Map.of("definition", "kafka-orders", "workflow_id", "k-" + w, "input", input));
        }
        Thread.sleep(2_000);
        long start = System.nanoTime();
        for (int i = 0; i < records; i++) {
            broker.producer().send(new ProducerRecord<>(topic, "k" + i, "{\"n\": " + i + "}"));
        }
        broker.producer().flush();
        while (running(url) > 0) {
            Thread.sleep(20);
        }
        double kafkaRate = records / ((System.nanoTime() - start) / 1e9);

        for (int w = 0; w < events; w++) {
            post(url + "/workflows", Map.of("definition", "http-one", "workflow_id", "h-" + w));
        }
        Thread.sleep(2_000);
        java.util.concurrent.Semaphore inFlight = new java.util.concurrent.Semaphore(64);
        List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> replies = new ArrayList<>();
        start = System.nanoTime();
        for (int i = 0; i < events; i++) {
            inFlight.acquire();
            replies.add(HTTP.sendAsync(
                            HttpRequest.newBuilder(URI.create(url + "/event/send_event/h-" + i))
                                    .header("Content-Type", "application/json")
                                    .POST(HttpRequest.BodyPublishers.ofString(
                                            "{\"event_key\": \"e\", \"event_payload\": " + i + "}"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .whenComplete((r, e) -> inFlight.release()));
        }
        for (var reply : replies) {
            assertEquals(200, reply.get(60, TimeUnit.SECONDS).statusCode());
        }
        double httpRate = events / ((System.nanoTime() - start) / 1e9);
        System.out.printf(
                "KafkaBench: kafka %.0f records/s (%d records, %d workflows), http %.0f events/s (%d events)%n",
                kafkaRate, records, records / perWorkflow, httpRate, events);
    }

    private static int running(String url) throws Exception {
        return get(url + "/workflows?status=RUNNING&limit=1000")
                .get("workflows")
                .size();
    }

    /** The built plugin folder, copied into plugins/, with the demo definition's jar added to it. */
    private Path installPlugin() throws IOException {
        Path built = Path.of(System.getProperty("hark.kafka.pluginFolder"));
        Path plugin = dir.resolve("plugins").resolve("hark-listener-kafka");
        Files.createDirectories(plugin);
        try (Stream<Path> jars = Files.list(built)) {
            for (Path jar : jars.toList()) {
                Files.copy(jar, plugin.resolve(jar.getFileName()));
            }
        }
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(plugin.resolve("orders-demo.jar")))) {
            zip.putNextEntry(new ZipEntry("META-INF/services/dev.hark.workflow.WorkflowDefinition"));
            zip.write((KafkaOrdersDefinition.class.getName() + "\n" + HttpOneDefinition.class.getName() + "\n")
                    .getBytes(StandardCharsets.UTF_8));
            String path = KafkaOrdersDefinition.class.getName().replace('.', '/');
            Path classes = Path.of(KafkaOrdersDefinition.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .getPath());
            try (Stream<Path> files = Files.list(classes.resolve(path).getParent())) {
                for (Path file : files.toList()) {
                    String name = file.getFileName().toString();
                    if (name.endsWith(".class")) {
                        zip.putNextEntry(new ZipEntry("dev/hark/kafka/demo/" + name));
                        zip.write(Files.readAllBytes(file));
                    }
                }
            }
        }
        return plugin.getParent();
    }

    private String serve(Path plugins, Path data) throws Exception {
        Path log = dir.resolve("serve-" + (++started) + ".log");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process process = new ProcessBuilder(
                        java.toString(),
                        "-jar",
                        System.getProperty("hark.kafka.serverJar"),
                        "serve",
                        "--data",
                        data.toString(),
                        "--plugins",
                        plugins.toString(),
                        "--port",
                        "0")
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        servers.add(process);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            String text = Files.exists(log) ? Files.readString(log) : "";
            Matcher m = LISTENING.matcher(text);
            if (m.find()) {
                return m.group(1);
            }
            assertTrue(process.isAlive(), "hark serve stopped: " + text);
            Thread.sleep(50);
        }
        throw new AssertionError("hark serve never listened: " + Files.readString(log));
    }

    private static void post(String url, Object body) throws Exception {
        HttpResponse<String> response = HTTP.send(
                HttpRequest.newBuilder(URI.create(url))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertTrue(
                response.statusCode() / 100 == 2, url + " answered " + response.statusCode() + " " + response.body());
    }

    private static JsonNode get(String url) throws Exception {
        HttpResponse<String> response =
                HTTP.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), url + ": " + response.body());
        return JSON.readTree(response.body());
    }
}
