package dev.hark.runtime.cli;

import dev.hark.runtime.plugin.TestPlugins;
import dev.hark.runtime.storage.postgres.PostgresSettings;
import dev.hark.runtime.storage.postgres.TestPostgres;
import dev.hark.runtime.testing.Await;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code hark serve} nodes as child JVMs on one test PostgreSQL database, for the cluster tests:
 * each node has a data folder of its own and its name in the system property {@value #NODE_PROPERTY},
 * which the test plugin's tasks return, so that an output tells which node computed it.
 */
final class ClusterChildren implements AutoCloseable {

    static final String NODE_PROPERTY = "hark.test.node";
    private static final Duration STARTUP = Duration.ofSeconds(120);

    private final Path work;
    private final Path plugins;
    private final PostgresSettings database;
    private final Map<String, Process> nodes = new HashMap<>();

    ClusterChildren(Path work, Path plugins, PostgresSettings database) {
        this.work = work;
        this.plugins = plugins;
        this.database = database;
    }

    /**
     * The test plugin: {@code pair} waits for "first" and "second" and returns both payloads
     * with the node that ran the final task ({@code a+b@node}); {@code nap} sleeps for its input's
     * {@code seconds}, then returns the node that ran its final task.
     */
    static void writePlugin(Path plugins) throws IOException {
        String pkg = "com.acme.cluster";
        TestPlugins.plugin("cluster")
                .version("1.0.0")
                .source(
                        pkg + ".Steps",
                        "package " + pkg + ";\n"
                                + "import dev.hark.listeners.http.HttpEvent;\n"
                                + "import dev.hark.listeners.timer.TimerEvent;\n"
                                + "public final class Steps {\n"
                                + "  public static String pair(HttpEvent a, HttpEvent b) {\n"
                                + "    return a.eventPayload() + \"+\" + b.eventPayload() + \"@\" + node();\n"
                                + "  }\n"
                                + "  public static String woke(TimerEvent fired) { return node(); }\n"
                                + "  static String node() { return System.getProperty(\"" + NODE_PROPERTY + "\"); }\n"
                                + "}\n")
                .source(
                        pkg + ".Pair",
                        "package " + pkg + ";\n"
                                + "import dev.hark.workflow.*;\n"
                                + "import dev.hark.listeners.http.*;\n"
                                + "import java.util.Map;\n"
                                + "public class Pair implements WorkflowDefinition {\n"
                                + "  public String name() { return \"pair\"; }\n"
                                + "  public Node<?> build(Map<String, Object> input) {\n"
                                + "    return Dag.task(Steps::pair).bind(Dag.waitForEvent(HttpListener.class, \"first\"),\n"
                                + "        Dag.waitForEvent(HttpListener.class, \"second\"));\n"
                                + "  }\n"
                                + "}\n")
                .source(
                        pkg + ".Nap",
                        "package " + pkg + ";\n"
                                + "import dev.hark.workflow.*;\n"
                                + "import java.time.Duration;\n"
                                + "import java.util.Map;\n"
                                + "public class Nap implements WorkflowDefinition {\n"
                                + "  public String name() { return \"nap\"; }\n"
                                + "  public Node<?> build(Map<String, Object> input) {\n"
                                + "    long seconds = ((Number) input.get(\"seconds\")).longValue();\n"
                                + "    return Dag.task(Steps::woke).bind(Dag.sleep(Duration.ofSeconds(seconds)));\n"
                                + "  }\n"
                                + "}\n")
                .definitions(pkg + ".Pair", pkg + ".Nap")
                .writeJar(plugins);
    }

    /** Starts node {@code name} with {@code --lease lease}; its output goes to {@code name.out}. */
    Process start(String name, String lease, String... options) throws IOException {
        Path data = Files.createDirectories(work.resolve("data-" + name));
        List<String> all = new ArrayList<>(
                List.of("--store", database.jdbcUrl(), "--node-name", name, "--lease", lease, "--log-format", "text"));
        all.addAll(List.of(options));
        ProcessBuilder builder =
                ServeChildren.serve(work, name, data, plugins, List.of("-D" + NODE_PROPERTY + "=" + name), all);
        builder.environment().remove(PostgresSettings.PASSWORD_VARIABLE);
        builder.environment().remove(PostgresSettings.PASSWORD_FILE_VARIABLE);
        builder.environment().put(PostgresSettings.USER_VARIABLE, TestPostgres.USER);
        Process process = builder.start();
        nodes.put(name, process);
        return process;
    }

    /** @return the URL node {@code name} listens on; several JVMs starting at once on a busy machine take a while */
    String awaitListening(String name) throws Exception {
        String output = Await.value(
                STARTUP,
                () -> logOf(name),
                log -> ServeChildren.LISTENING.matcher(log).find(),
                log -> name + " never listened: " + (log.isEmpty() ? "(no output)" : log));
        return ServeChildren.LISTENING
                .matcher(output)
                .results()
                .findFirst()
                .orElseThrow()
                .group(1);
    }

    String logOf(String name) throws IOException {
        return ServeChildren.logOf(work, name);
    }

    void awaitLine(String name, String text) throws Exception {
        Await.value(
                STARTUP,
                () -> logOf(name),
                output -> output.contains(text),
                output -> name + " never printed '" + text + "': " + output);
    }

    Connection connect() throws SQLException {
        String url = database.jdbcUrl();
        return TestPostgres.server().connect(url.substring(url.lastIndexOf('/') + 1));
    }

    /** @return the rows of a query with one parameter (or none), each as its columns' text */
    List<List<String>> query(String sql, Object... parameters) throws SQLException {
        try (Connection c = connect();
                PreparedStatement p = c.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                p.setObject(i + 1, parameters[i]);
            }
            try (ResultSet rs = p.executeQuery()) {
                List<List<String>> rows = new ArrayList<>();
                int columns = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    List<String> row = new ArrayList<>();
                    for (int i = 1; i <= columns; i++) {
                        row.add(rs.getString(i));
                    }
                    rows.add(row);
                }
                return rows;
            }
        }
    }

    long count(String sql, Object... parameters) throws SQLException {
        return Long.parseLong(query(sql, parameters).get(0).get(0));
    }

    /** Sends a signal (STOP, CONT, KILL) to node {@code name}'s process. */
    void signal(String name, String signal) throws Exception {
        Process kill = new ProcessBuilder(
                        "kill", "-" + signal, Long.toString(nodes.get(name).pid()))
                .inheritIO()
                .start();
        if (kill.waitFor() != 0) {
            throw new IllegalStateException("kill -" + signal + " " + name + " failed");
        }
    }

    @Override
    public void close() {
        for (Process process : nodes.values()) {
            try {
                new ProcessBuilder("kill", "-CONT", Long.toString(process.pid()))
                        .start()
                        .waitFor();
            } catch (IOException | InterruptedException e) {
                // it is killed below anyway
            }
            process.destroyForcibly();
        }
    }
}
