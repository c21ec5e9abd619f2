package dev.hark.runtime.storage.postgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server for tests: the machine's binaries ({@code /usr/lib/postgresql/<v>/bin},
 * which {@code .ci/run} installs when missing), started once per test JVM on the first call,
 * listening on 127.0.0.1 on a free port, with its data in a temporary folder and {@code fsync} on.
 * It stops with the JVM: a shutdown hook stops it, and should the JVM be killed, the server gets
 * SIGQUIT as its parent dies ({@code setpriv --pdeathsig}).
 *
 * <p>PostgreSQL refuses to run as root, which tests do here and in CI: as root the server runs as
 * {@code nobody} ({@code setpriv --reuid}), its folder owned by that user.
 *
 * <p>Each test class takes a {@link #freshDatabase() fresh database}; trust authentication, user
 * {@value #USER}.
 */
public final class TestPostgres {

    public static final String USER = "hark";
    private static final String BIN_ROOT = "/usr/lib/postgresql";
    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static TestPostgres server;

    private final Path folder;
    private final int port;
    private final Process process;

    private TestPostgres(Path folder, int port, Process process) {
        this.folder = folder;
        this.port = port;
        this.process = process;
    }

    /** @return the server, started on the first call */
    public static synchronized TestPostgres server() {
        if (server == null) {
            // The free port is found before the server binds it: another process may take it between.
            for (int attempt = 1; server == null; attempt++) {
                try {
                    server = start();
                } catch (IllegalStateException e) {
                    if (attempt == 3) {
                        throw e;
                    }
                }
            }
        }
        return server;
    }

    /** @return settings for a new, empty database on the server */
    public static PostgresSettings freshDatabase() {
        TestPostgres s = server();
        String name = "hark_test_" + ProcessHandle.current().pid() + "_" + DATABASES.incrementAndGet();
        try (Connection c = s.connect("postgres");
                Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create test database " + name, e);
        }
        return new PostgresSettings(s.url(name), USER, null);
    }

    /** @return a JDBC URL for {@code database} on this server */
    public String url(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    public int port() {
        return port;
    }

    /** @return a plain connection to {@code database} */
    public Connection connect(String database) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", USER);
        return DriverManager.getConnection(url(database), p);
    }

    /** @return the {@code bin} folder of the newest PostgreSQL installed */
    static Path binaries() {
        Path root = Path.of(BIN_ROOT);
        List<Path> found = new ArrayList<>();
        if (Files.isDirectory(root)) {
            try (DirectoryStream<Path> versions = Files.newDirectoryStream(root)) {
                for (Path version : versions) {
                    if (Files.isExecutable(version.resolve("bin/initdb"))) {
                        found.add(version.resolve("bin"));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return found.stream()
                .max(Comparator.comparingInt(TestPostgres::majorVersion))
                .orElseThrow(() -> new IllegalStateException("no PostgreSQL server binaries under " + BIN_ROOT
                        + "/*/bin: install them (apt-get install postgresql; .ci/run does it when missing)"));
    }

    private static int majorVersion(Path bin) {
        try {
            return Integer.parseInt(bin.getParent().getFileName().toString());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static boolean runningAsRoot() {
        try {
            return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    private static TestPostgres start() {
        Path bin = binaries();
        boolean root = runningAsRoot();
        try {
            // As root, under /tmp: the server's user must reach the folder, and java.io.tmpdir may not let it.
            Path folder = root
                    ? Files.createTempDirectory(Path.of("/tmp"), "hark-pg-")
                    : Files.createTempDirectory("hark-pg-");
            Path data = folder.resolve("data");
            if (root) {
                run(List.of("chown", "nobody:nogroup", folder.toString()), folder);
            }
            run(
                    as(
                            root,
                            false,
                            bin.resolve("initdb").toString(),
                            "-D",
                            data.toString(),
                            "-U",
                            USER,
                            "--auth=trust",
                            "--encoding=UTF8",
                            "--locale=C",
                            "--no-sync"), // the server's own writes are fsynced; the template needs not be
                    folder);
            int port;
            try (ServerSocket probe = new ServerSocket(0)) {
                port = probe.getLocalPort();
            }
            List<String> command = as(
                    root,
                    true,
                    bin.resolve("postgres").toString(),
                    "-D",
                    data.toString(),
                    "-p",
                    Integer.toString(port),
                    "-k",
                    folder.toString(),
                    "-c",
                    "listen_addresses=127.0.0.1",
                    "-c",
                    "fsync=on",
                    "-c",
                    "max_connections=200",
                    "-c",
                    "shared_buffers=32MB");
            Path log = folder.resolve("postgres.log");
            // PR_SET_PDEATHSIG fires when the thread that started the process ends, so a thread that
            // lives as long as the server starts it.
            CompletableFuture<Process> started = new CompletableFuture<>();
            Thread owner = new Thread(
                    () -> {
                        try {
                            Process p = new ProcessBuilder(command)
                                    .redirectErrorStream(true)
                                    .redirectOutput(log.toFile())
                                    .start();
                            started.complete(p);
                            p.waitFor();
                        } catch (IOException e) {
                            started.completeExceptionally(e);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    },
                    "test-postgres");
            owner.setDaemon(true);
            owner.start();
            Process process = started.join();
            TestPostgres server = new TestPostgres(folder, port, process);
            Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "test-postgres-stop"));
            server.awaitReady(log);
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the test PostgreSQL", e);
        }
    }

    private static List<String> as(boolean root, boolean dieWithParent, String... command) {
        List<String> full = new ArrayList<>();
        full.add("setpriv");
        if (dieWithParent) {
            full.add("--pdeathsig=SIGQUIT");
        }
        if (root) {
            full.addAll(List.of("--reuid=nobody", "--regid=nogroup", "--clear-groups"));
        }
        full.addAll(List.of(command));
        return full;
    }

    private static void run(List<String> command, Path folder) throws IOException {
        Path log = folder.resolve("setup.log");
        Process p = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        try {
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(command + " did not finish");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException(command + " failed (" + p.exitValue() + "):\n" + Files.readString(log));
        }
    }

    private void awaitReady(Path log) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        SQLException last = null;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(
                        "the test PostgreSQL exited (" + process.exitValue() + "):\n" + Files.readString(log));
            }
            try (Connection c = connect("postgres")) {
                return;
            } catch (SQLException e) {
                last = e;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        stop();
        throw new IllegalStateException(
                "the test PostgreSQL did not accept connections:\n" + Files.readString(log), last);
    }

    /** Immediate shutdown (SIGQUIT): the data are thrown away anyway. */
    private void stop() {
        try {
            new ProcessBuilder("kill", "-QUIT", Long.toString(process.pid()))
                    .start()
                    .waitFor(10, TimeUnit.SECONDS);
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (IOException e) {
            process.destroyForcibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> files = Files.walk(folder)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException ignored) {
            // a temporary folder: the OS cleans it
        }
    }
}
