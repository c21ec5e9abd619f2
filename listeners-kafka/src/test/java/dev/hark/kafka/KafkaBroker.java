package dev.hark.kafka;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A real Kafka broker for the tests: one KRaft node (broker and controller) from
 * {@code org.apache.kafka:kafka_2.13} on the test class path, in a child JVM on loopback ports, its
 * log in a temporary folder. One per test JVM ({@link #shared()}), started on first use and stopped
 * when the JVM exits; the child also stops by itself when this JVM dies.
 */
public final class KafkaBroker implements AutoCloseable {

    private static KafkaBroker shared;

    private final Path dir;
    private final Process process;
    private final String bootstrap;
    private final Admin admin;
    private final KafkaProducer<String, String> producer;

    /** @return the broker of this JVM, started on first use */
    public static synchronized KafkaBroker shared() {
        if (shared == null) {
            try {
                shared = new KafkaBroker();
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException("cannot start the test broker: " + e, e);
            }
            KafkaBroker broker = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(broker::close, "kafka-broker-stop"));
        }
        return shared;
    }

    private KafkaBroker() throws IOException, InterruptedException {
        dir = Files.createTempDirectory("hark-kafka-broker-");
        int port = freePort();
        int controller = freePort();
        bootstrap = "127.0.0.1:" + port;
        Properties server = new Properties();
        server.put("process.roles", "broker,controller");
        server.put("node.id", "1");
        server.put("controller.quorum.voters", "1@127.0.0.1:" + controller);
        server.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controller);
        server.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        server.put("controller.listener.names", "CONTROLLER");
        server.put("inter.broker.listener.name", "PLAINTEXT");
        server.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        server.put("log.dirs", dir.resolve("data").toString());
        server.put("num.partitions", "1");
        server.put("offsets.topic.replication.factor", "1");
        server.put("offsets.topic.num.partitions", "3");
        server.put("transaction.state.log.replication.factor", "1");
        server.put("transaction.state.log.min.isr", "1");
        server.put("share.coordinator.state.topic.replication.factor", "1");
        server.put("share.coordinator.state.topic.min.isr", "1");
        server.put("group.initial.rebalance.delay.ms", "0");
        server.put("group.min.session.timeout.ms", "500");
        server.put("auto.create.topics.enable", "false");
        Path config = dir.resolve("server.properties");
        try (var out = Files.newBufferedWriter(config)) {
            server.store(out, "hark test broker");
        }
        String classPath = childClassPath();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        run(List.of(
                java,
                "-cp",
                classPath,
                "kafka.tools.StorageTool",
                "format",
                "-t",
                Uuid.randomUuid().toString(),
                "-c",
                config.toString()));
        List<String> command = new ArrayList<>(List.of(
                java,
                "-Xmx512m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                classPath,
                BrokerMain.class.getName(),
                config.toString()));
        process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("broker.log").toFile())
                .start();
        Properties client = new Properties();
        client.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        admin = Admin.create(client);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the test broker stopped: " + log());
            }
            try {
                admin.describeCluster().nodes().get(2, TimeUnit.SECONDS);
                break;
            } catch (Exception notYet) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the test broker did not answer in 90 s: " + log());
                }
                Thread.sleep(100);
            }
        }
        Properties producerConfig = new Properties();
        producerConfig.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        producerConfig.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        producerConfig.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        producerConfig.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        producer = new KafkaProducer<>(producerConfig);
    }

    /** @return {@code host:port} of the broker */
    public String bootstrap() {
        return bootstrap;
    }

    /** @return an admin client of the broker (shared; do not close) */
    public Admin admin() {
        return admin;
    }

    /** @return a producer of string keys and values (shared; do not close) */
    public KafkaProducer<String, String> producer() {
        return producer;
    }

    /** Creates a topic and waits for it. */
    public void createTopic(String topic, int partitions) {
        try {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1)))
                    .all()
                    .get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot create topic " + topic + ": " + e, e);
        }
    }

    /** @return the group's commits (offset and metadata) per partition of {@code topic}, where it has one */
    public Map<Integer, OffsetAndMetadata> committedMarks(String group, String topic) {
        try {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata()
                    .get(30, TimeUnit.SECONDS);
            Map<Integer, OffsetAndMetadata> result = new java.util.TreeMap<>();
            offsets.forEach((tp, mark) -> {
                if (tp.topic().equals(topic) && mark != null) {
                    result.put(tp.partition(), mark);
                }
            });
            return result;
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the offsets of " + group + ": " + e, e);
        }
    }

    /** @return the group's committed offset per partition of {@code topic} (0 where none) */
    public Map<Integer, Long> committed(String group, String topic, int partitions) {
        Map<Integer, OffsetAndMetadata> marks = committedMarks(group, topic);
        Map<Integer, Long> result = new java.util.TreeMap<>();
        for (int p = 0; p < partitions; p++) {
            OffsetAndMetadata mark = marks.get(p);
            result.put(p, mark == null ? 0L : mark.offset());
        }
        return result;
    }

    /** @return the end offset per partition of {@code topic} */
    public Map<Integer, Long> endOffsets(String topic, int partitions) {
        try {
            Map<TopicPartition, OffsetSpec> ask = new java.util.HashMap<>();
            for (int p = 0; p < partitions; p++) {
                ask.put(new TopicPartition(topic, p), OffsetSpec.latest());
            }
            Map<Integer, Long> result = new java.util.TreeMap<>();
            admin.listOffsets(ask)
                    .all()
                    .get(30, TimeUnit.SECONDS)
                    .forEach((tp, info) -> result.put(tp.partition(), info.offset()));
            return result;
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the end offsets of " + topic + ": " + e, e);
        }
    }

    @Override
    public synchronized void close() {
        try {
            producer.close(Duration.ofSeconds(2));
            admin.close(Duration.ofSeconds(2));
        } catch (RuntimeException ignored) {
            // the broker goes anyway
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary folder
        }
    }

    private String log() {
        try {
            String text = Files.readString(dir.resolve("broker.log"));
            return text.length() > 4000 ? text.substring(text.length() - 4000) : text;
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private void run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("format.log").toFile())
                .start();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException(
                    "formatting the broker's storage failed: " + Files.readString(dir.resolve("format.log")));
        }
    }

    /**
     * The test class path less this module's main classes: they replace kafka-clients' Exit with one
     * that refuses to stop the process, which the broker's own tools rely on.
     */
    private static String childClassPath() {
        return Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !Path.of(entry).endsWith(Path.of("target", "classes")))
                .collect(Collectors.joining(File.pathSeparator));
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
