package dev.hark.runtime.cli;

import dev.hark.runtime.Hark;
import dev.hark.runtime.http.Credentials;
import dev.hark.runtime.http.HttpSettings;
import dev.hark.runtime.http.TlsSettings;
import dev.hark.runtime.metrics.PluginProblemMeters;
import dev.hark.runtime.plugin.PluginLoadException;
import dev.hark.runtime.plugin.PluginLoader;
import dev.hark.runtime.plugin.PluginSet;
import dev.hark.runtime.storage.ClaimRetention;
import dev.hark.runtime.storage.StorageException;
import dev.hark.runtime.storage.WorkflowStore;
import dev.hark.runtime.storage.postgres.NodeSettings;
import dev.hark.runtime.storage.postgres.PostgresSettings;
import dev.hark.runtime.storage.postgres.PostgresWorkflowStore;
import dev.hark.runtime.storage.sqlite.SqliteWorkflowStore;
import io.netty.util.ResourceLeakDetector;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code hark serve}: loads and validates plugins, opens the data folder, resumes what was running,
 * and serves the event endpoint and the admin API until SIGTERM (or Ctrl-C), then shuts down
 * cleanly. Nothing acknowledged is lost to a SIGKILL either: every 200 and 201 follows a durable
 * write.
 */
@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        description = "Run the standalone runtime: plugins, HTTP events, admin API.")
final class ServeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(
            names = "--data",
            paramLabel = "DIR",
            defaultValue = "hark-data",
            description = "Data folder (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(
            names = "--store",
            paramLabel = "URL",
            description = "Store workflows in PostgreSQL instead of SQLite in the data folder: a JDBC URL"
                    + " jdbc:postgresql://HOST[:PORT]/DATABASE, without credentials (the user comes from "
                    + PostgresSettings.USER_VARIABLE + ", the password from " + PostgresSettings.PASSWORD_VARIABLE
                    + " or the file named by " + PostgresSettings.PASSWORD_FILE_VARIABLE + "). Several nodes"
                    + " may share one database: each runs its own workflows and takes over those of a node"
                    + " that stops.")
    String store;

    @Option(
            names = "--node-name",
            paramLabel = "NAME",
            description = "With --store: this node's name in logs and in the other nodes' messages (default: the"
                    + " host name and process id).")
    String nodeName;

    @Option(
            names = "--advertise-url",
            paramLabel = "URL",
            description = "With --store: where the other nodes reach this node's event port, to forward events of"
                    + " the workflows it runs (default: http(s)://HOST:PORT as bound; the host name when --host is"
                    + " 0.0.0.0 or ::).")
    URI advertiseUrl;

    @Option(
            names = "--lease",
            paramLabel = "DURATION",
            converter = DurationText.Converter.class,
            description = "With --store: how long this node's workflows stay its own without a renewal; a node"
                    + " paused or cut off for longer loses them to the others and exits with code "
                    + ExitCodes.LEASE_LOST + " (default: 10s).")
    Duration lease;

    @Option(
            names = "--plugins",
            paramLabel = "DIR",
            defaultValue = "plugins",
            description = "Plugins folder: plugins/<name>/ (its jars are one plugin) or plugins/<name>.jar"
                    + " (default: ${DEFAULT-VALUE}).")
    Path pluginsDir;

    @Option(
            names = "--host",
            defaultValue = HttpSettings.DEFAULT_HOST,
            description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(
            names = "--port",
            defaultValue = "" + HttpSettings.DEFAULT_PORT,
            description = "Port to listen on; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(
            names = "--allowed-host",
            paramLabel = "NAME",
            description = "A host name clients may use in the Host header, besides localhost, 127.0.0.1, [::1] and"
                    + " --host (repeat for several; '*' allows any, giving up the DNS-rebinding defence)."
                    + " Needed when clients reach the server by a DNS name.")
    List<String> allowedHosts = new ArrayList<>();

    @Option(
            names = "--claim-retention",
            paramLabel = "DURATION",
            defaultValue = "30d",
            converter = ClaimRetentionConverter.class,
            description = "How long an event claim is kept once its commit is recorded: 'forever', 30d, 12h, 15m,"
                    + " 90s or ISO-8601 (default: ${DEFAULT-VALUE}). Claims of uncommitted events are always kept.")
    ClaimRetention claimRetention;

    @Option(
            names = "--buffer-early-events",
            paramLabel = "TTL",
            converter = EarlyEventTtlConverter.class,
            description = "Buffer an event sent to a running workflow that has no wait on its key yet (answered 200"
                    + " \"buffered\"), deliver it to the first wait that registers for the key, drop it after TTL:"
                    + " 10m, 1h, 2d or ISO-8601. Off by default: such an event is answered 404, as Ray did.")
    Duration earlyEventTtl;

    @Option(
            names = "--start-on-event",
            paramLabel = "DEFINITION",
            split = ",",
            description = "A workflow definition that POST /event/send_event/{id}?start=DEFINITION may start when no"
                    + " workflow has the id (repeat or comma-separate for several). None by default. The sender needs"
                    + " an events token covering the id; the event is buffered for the new workflow's first wait on"
                    + " its key, for the --buffer-early-events TTL (1h when that is off).")
    List<String> startOnEvent = new ArrayList<>();

    static final class EarlyEventTtlConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return DurationText.parse(value, "early-event TTL");
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    static final class ClaimRetentionConverter implements ITypeConverter<ClaimRetention> {
        @Override
        public ClaimRetention convert(String value) {
            if (value.strip().equalsIgnoreCase("forever")) {
                return ClaimRetention.forever();
            }
            try {
                return ClaimRetention.keep(DurationText.parse(value, "claim retention"));
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage() + ", or 'forever'");
            }
        }
    }

    @Option(
            names = "--tokens",
            paramLabel = "FILE",
            description = "Credentials: one per line, KIND VALUE, KIND being admin, events, events:PREFIX,...,"
                    + " webhook or webhook:PREFIX,... (see `hark tokens new`). Also read from the environment"
                    + " variable " + TOKENS_VARIABLE + " (entries separated by newlines or ';'). With any, every"
                    + " request but /health/live and /health/ready needs a token or a webhook signature.")
    Path tokensFile;

    @Option(
            names = "--insecure",
            description = "Serve a non-loopback address without credentials: anyone who reaches the port may"
                    + " start, read and cancel workflows and send events.")
    boolean insecure;

    @Option(
            names = "--admin-port",
            description = "Serve the admin API (/workflows, /health) on this port of its own instead of --port;"
                    + " the event port then serves events and the probes /health/live, /health/ready. 0 picks a"
                    + " free one.")
    Integer adminPort;

    @Option(
            names = "--admin-host",
            paramLabel = "HOST",
            description = "Address of the admin API's own port (default: 127.0.0.1; needs --admin-port).")
    String adminHost;

    @Option(
            names = "--tls-cert",
            paramLabel = "FILE",
            description = "Serve HTTPS with this PEM certificate chain (with --tls-key).")
    Path tlsCertificate;

    @Option(
            names = "--tls-key",
            paramLabel = "FILE",
            description = "The PEM (PKCS#8, unencrypted) private key of --tls-cert.")
    Path tlsKey;

    @Option(
            names = "--max-connections",
            paramLabel = "N",
            defaultValue = "" + HttpSettings.DEFAULT_MAX_CONNECTIONS,
            description = "Open connections beyond N are answered 503 and closed (default: ${DEFAULT-VALUE}).")
    int maxConnections;

    @Option(
            names = "--max-body-bytes",
            paramLabel = "N",
            defaultValue = "" + HttpSettings.DEFAULT_MAX_BODY_BYTES,
            description = "Larger request bodies are answered 413 (default: ${DEFAULT-VALUE}).")
    int maxBodyBytes;

    @Option(
            names = "--idle-timeout",
            paramLabel = "DURATION",
            defaultValue = "60s",
            converter = DurationText.Converter.class,
            description = "A connection idle this long is closed (default: ${DEFAULT-VALUE}).")
    Duration idleTimeout;

    @Option(
            names = "--request-timeout",
            paramLabel = "DURATION",
            defaultValue = "30s",
            converter = DurationText.Converter.class,
            description = "A request not received whole this long after its first byte is answered 408"
                    + " (default: ${DEFAULT-VALUE}).")
    Duration requestTimeout;

    @Option(
            names = "--reply-timeout",
            paramLabel = "DURATION",
            defaultValue = "30s",
            converter = DurationText.Converter.class,
            description = "An event not checkpointed within this is answered 503 checkpoint_timeout"
                    + " (default: ${DEFAULT-VALUE}).")
    Duration replyTimeout;

    @Option(
            names = "--log-format",
            paramLabel = "FORMAT",
            defaultValue = "${sys:hark.log.format:-text}",
            description = "Log lines on standard error: text (the default) or json, one JSON object per line with"
                    + " workflow_id, task and listener under \"mdc\" (also -Dhark.log.format=json)")
    String logFormat;

    @Option(
            names = "--store-queue",
            paramLabel = "N",
            defaultValue = "" + SqliteWorkflowStore.DEFAULT_QUEUE_CAPACITY,
            description = "Writes that may wait for the store; new workflows and events beyond are answered 503"
                    + " store_busy (default: ${DEFAULT-VALUE}).")
    int storeQueue;

    @Option(
            names = "--strict-plugins",
            description = "Refuse to start when any plugin breaks a rule (default: skip bad plugins).")
    boolean strictPlugins;

    /** The environment variable that may hold credentials, in the format of {@code --tokens}. */
    static final String TOKENS_VARIABLE = "HARK_TOKENS";

    /** Where {@link #TOKENS_VARIABLE} is read; tests give their own. */
    Function<String, String> environment = System::getenv;

    /** @throws IllegalArgumentException for settings that do not fit together, saying which */
    HttpSettings httpSettings() {
        List<String> hosts = new ArrayList<>(HttpSettings.DEFAULT_ALLOWED_HOSTS);
        hosts.addAll(allowedHosts);
        hosts.addAll(forwardedHosts());
        if ((tlsCertificate == null) != (tlsKey == null)) {
            throw new IllegalArgumentException(
                    "give --tls-cert and --tls-key together (a PEM certificate chain and" + " its private key)");
        }
        return HttpSettings.defaults()
                .withHost(host)
                .withPort(port)
                .withAllowedHosts(hosts)
                .withMaxConnections(maxConnections)
                .withMaxBodyBytes(maxBodyBytes)
                .withIdleTimeout(idleTimeout)
                .withRequestReadTimeout(requestTimeout)
                .withReplyTimeout(replyTimeout)
                .withCredentials(credentials())
                .withTls(tlsCertificate == null ? null : new TlsSettings(tlsCertificate, tlsKey));
    }

    /**
     * @return the PostgreSQL store's settings, or null for the SQLite default
     * @throws IllegalArgumentException for a URL that is not PostgreSQL's, carries a password, or
     *     credentials that cannot be read
     */
    PostgresSettings postgresSettings() {
        if (store == null) {
            return null;
        }
        if (!PostgresSettings.isPostgresUrl(store)) {
            throw new IllegalArgumentException("--store takes a PostgreSQL JDBC URL (" + PostgresSettings.URL_PREFIX
                    + "//HOST[:PORT]/DATABASE); without --store, workflows are stored in SQLite in the --data folder");
        }
        return PostgresSettings.fromEnvironment(store, environment);
    }

    /**
     * @return the names other nodes of a shared database use in the Host header of the requests they
     *     forward here: the advertised URL's host, or the host name when listening on every interface
     */
    private List<String> forwardedHosts() {
        if (store == null) {
            return List.of();
        }
        if (advertiseUrl != null && advertiseUrl.getHost() != null) {
            return List.of(advertiseUrl.getHost());
        }
        if (host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")) {
            try {
                return List.of(java.net.InetAddress.getLocalHost().getHostName());
            } catch (java.net.UnknownHostException e) {
                return List.of();
            }
        }
        return List.of();
    }

    /**
     * @return this node's settings among the nodes of one database, or null without {@code --store}
     * @throws IllegalArgumentException for node options without {@code --store}, a blank name, a
     *     lease too short, or an advertised URL that is not an absolute http(s) URL
     */
    NodeSettings nodeSettings() {
        if (store == null) {
            if (nodeName != null || advertiseUrl != null || lease != null) {
                throw new IllegalArgumentException("--node-name, --advertise-url and --lease need --store (a PostgreSQL"
                        + " database several nodes share); a SQLite data folder has one node");
            }
            return null;
        }
        if (advertiseUrl != null
                && (!("http".equals(advertiseUrl.getScheme()) || "https".equals(advertiseUrl.getScheme()))
                        || advertiseUrl.getHost() == null)) {
            throw new IllegalArgumentException(
                    "--advertise-url must be an absolute http:// or https:// URL with a host, was " + advertiseUrl);
        }
        return new NodeSettings(
                nodeName == null ? NodeSettings.defaultName() : nodeName,
                lease == null ? NodeSettings.DEFAULT_LEASE : lease);
    }

    /** @return the admin API's own server settings, or null when it shares the event port */
    HttpSettings adminSettings(HttpSettings http) {
        if (adminPort == null) {
            if (adminHost != null) {
                throw new IllegalArgumentException("--admin-host needs --admin-port (the admin API's own port)");
            }
            return null;
        }
        List<String> hosts = new ArrayList<>(HttpSettings.DEFAULT_ALLOWED_HOSTS);
        hosts.addAll(allowedHosts);
        return http.withHost(adminHost == null ? HttpSettings.DEFAULT_HOST : adminHost)
                .withPort(adminPort)
                .withAllowedHosts(hosts);
    }

    private Credentials credentials() {
        Credentials credentials = tokensFile == null ? Credentials.none() : Credentials.read(tokensFile);
        String variable = environment.apply(TOKENS_VARIABLE);
        if (variable != null && !variable.isBlank()) {
            credentials = credentials.and(Credentials.parse(variable, TOKENS_VARIABLE));
        }
        return credentials;
    }

    /**
     * @return why these settings must not be served, or null: a non-loopback address without
     *     credentials, unless {@code --insecure}
     */
    String exposureProblem(HttpSettings http, HttpSettings admin) {
        if (insecure || !http.credentials().isEmpty()) {
            return null;
        }
        HttpSettings exposed = !http.isLoopback() ? http : admin != null && !admin.isLoopback() ? admin : null;
        if (exposed == null) {
            return null;
        }
        return "refusing to serve " + exposed.host() + " without credentials: anyone who reaches it could "
                + (exposed == admin || admin == null ? "start, read and cancel workflows and " : "") + "send events."
                + " Give tokens with --tokens FILE or " + TOKENS_VARIABLE + " (`hark tokens new` makes one; see"
                + " \"Running on a network\" in the README), or pass --insecure to serve without them";
    }

    private static boolean readableByOthers(Path file) {
        try {
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
            return permissions.contains(PosixFilePermission.OTHERS_READ)
                    || permissions.contains(PosixFilePermission.GROUP_READ);
        } catch (IOException | UnsupportedOperationException e) {
            return false; // not POSIX (Windows): its ACLs are the operator's to check
        }
    }

    /** Cautions about settings that work but are probably not what was meant. */
    static List<String> cautions(HttpSettings http, HttpSettings admin) {
        List<String> cautions = new ArrayList<>();
        Credentials credentials = http.credentials();
        if (!credentials.isEmpty() && credentials.tokens(Credentials.Scope.ADMIN) == 0) {
            cautions.add("no admin token: the admin API refuses every request but the health probes");
        }
        for (HttpSettings server : admin == null ? List.of(http) : List.of(http, admin)) {
            if (!credentials.isEmpty() && server.tls() == null && !server.isLoopback()) {
                cautions.add("tokens travel in clear text to " + server.host() + ":" + server.port() + "; serve HTTPS"
                        + " (--tls-cert, --tls-key) or behind a proxy that terminates TLS");
            }
        }
        return cautions;
    }

    /** Netty's system property for its leak detector; an explicit setting is left alone. */
    private static final String LEAK_DETECTION_PROPERTY = "io.netty.leakDetection.level";

    @Override
    public Integer call() throws Exception {
        disableLeakSamplingUnlessAsked();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        HttpSettings http;
        HttpSettings admin;
        PostgresSettings postgres;
        NodeSettings node;
        try {
            LogFormat.use(logFormat);
            postgres = postgresSettings();
            node = nodeSettings();
            http = httpSettings();
            admin = adminSettings(http);
            if (storeQueue < 1) {
                throw new IllegalArgumentException("--store-queue must be at least 1, was " + storeQueue);
            }
            String exposure = exposureProblem(http, admin);
            if (exposure != null) {
                throw new IllegalArgumentException(exposure);
            }
        } catch (IllegalArgumentException e) {
            err.println("hark: " + e.getMessage());
            err.flush();
            return ExitCodes.USAGE;
        }
        List<String> cautions = new ArrayList<>(cautions(http, admin));
        if (tokensFile != null && readableByOthers(tokensFile)) {
            cautions.add("credentials file " + tokensFile + " is readable by other users; chmod 600 it");
        }
        for (String caution : cautions) {
            err.println("hark: caution: " + caution);
        }
        err.flush();
        PluginSet plugins;
        try {
            plugins = PluginLoader.load(pluginsDir, strictPlugins);
        } catch (PluginLoadException e) {
            err.println("hark: plugins refused and --strict-plugins is set:");
            err.println(e.report());
            err.flush();
            return ExitCodes.REFUSED;
        }
        PluginsCommand.printLoaded(out, plugins);
        if (!plugins.problems().isEmpty()) {
            err.println("Refused (the rest loaded):");
            err.println(plugins.report());
            err.flush();
        }

        Hark hark;
        try {
            int queueCapacity = storeQueue;
            PrometheusEndpoint metrics = PrometheusEndpoint.create();
            PluginProblemMeters.register(metrics.registry(), plugins.problems());
            Function<Path, WorkflowStore> opener = postgres == null
                    ? dir -> SqliteWorkflowStore.withQueueCapacity(dir, queueCapacity)
                    : dir -> PostgresWorkflowStore.open(postgres, queueCapacity, node);
            Hark.Builder builder = Hark.builder()
                    .metrics(metrics.registry())
                    .metricsEndpoint(metrics)
                    .dataDir(dataDir)
                    .store(opener)
                    .classLoader(plugins.classLoader())
                    .definitions(plugins.definitions().values())
                    .http(http);
            if (advertiseUrl != null) {
                builder.advertiseUrl(advertiseUrl);
            }
            // Another node runs this node's workflows now: stop, and let the supervisor start a new node.
            builder.onLeaseLost(() -> {
                err.println("hark: this node lost its lease: it was paused or cut off from the database for longer"
                        + " than the lease, and another node took over its workflows; exiting with code "
                        + ExitCodes.LEASE_LOST + " so that a supervisor starts it again as a new node");
                err.flush();
                System.exit(ExitCodes.LEASE_LOST);
            });
            if (admin == null) {
                builder.adminApi(true);
            } else {
                builder.adminHttp(admin);
            }
            hark = builder.claimRetention(claimRetention)
                    .bufferEarlyEvents(earlyEventTtl)
                    .startOnEvent(startOnEvent)
                    .resumeAllOnOpen(true)
                    .open();
        } catch (IllegalStateException | IllegalArgumentException | StorageException e) {
            // The data folder is locked or unusable, the port is taken, the TLS files are unusable: say which.
            plugins.close();
            err.println("hark: cannot start: " + e.getMessage());
            err.flush();
            return ExitCodes.REFUSED;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        AtomicBoolean shuttingDown = new AtomicBoolean();
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            shuttingDown.set(true);
                            hark.close();
                            plugins.close();
                            stopped.countDown();
                        },
                        "hark-shutdown"));

        // HTTP is up while the workflows that were running are resumed (on their own thread):
        // /health says "starting" (503) and an event for a workflow not re-parked yet gets 503 with
        // Retry-After, never 404, until every wait is parked again; then /health says "ok".
        String scheme = http.tls() == null ? "http://" : "https://";
        int boundPort = hark.httpAddress().orElseThrow().getPort();
        if (admin == null) {
            out.println("Listening on " + scheme + host + ":" + boundPort
                    + "  (events: POST /event/send_event/<workflow_id>; admin: /workflows, /health)");
        } else {
            out.println("Listening on " + scheme + host + ":" + boundPort
                    + "  (events: POST /event/send_event/<workflow_id>; probes: /health/live, /health/ready)");
            out.println("Admin API on " + scheme + admin.host() + ":"
                    + hark.adminAddress().orElseThrow().getPort() + "  (/workflows, /health)");
        }
        out.println(
                http.credentials().isEmpty()
                        ? "Credentials: none, every request is served"
                        : "Credentials: " + http.credentials().tokens(Credentials.Scope.ADMIN) + " admin token(s), "
                                + http.credentials().tokens(Credentials.Scope.EVENTS) + " events token(s), "
                                + http.credentials().webhookSecrets() + " webhook secret(s)");
        out.println("Workflow definitions: " + hark.definitions());
        if (postgres != null) {
            out.println("Store: PostgreSQL " + postgres + ", node " + node.name() + ", lease "
                    + node.lease().toMillis() + " ms");
        }
        out.flush();
        Map<String, CompletableFuture<Object>> resumed;
        try {
            resumed = hark.resumedOnOpen().join();
        } catch (CompletionException | CancellationException e) {
            if (shuttingDown.get()) { // SIGTERM while resuming: close() stopped it; nothing failed
                stopped.await();
                return ExitCodes.OK;
            }
            Throwable cause = e.getCause() == null ? e : e.getCause();
            err.println("hark: resuming the workflows of " + hark.dataDir() + " failed: " + cause.getMessage());
            err.flush();
            hark.close();
            plugins.close();
            return ExitCodes.REFUSED;
        }
        out.println("Data folder " + hark.dataDir() + ": resumed " + resumed.size() + " workflow(s)"
                + (resumed.isEmpty()
                        ? ""
                        : " " + resumed.keySet().stream().sorted().toList()));
        out.flush();
        stopped.await();
        return ExitCodes.OK;
    }

    /**
     * The standalone server owns its JVM, so it may set Netty's process-wide leak detector. At
     * Netty's default level one buffer in 128 records a stack trace: 4 % of the HTTP I/O thread
     * under load (docs/PERFORMANCE.md). Library mode, tests included, keeps Netty's default; to
     * look for leaks in the server, start it with {@code -Dio.netty.leakDetection.level=paranoid}.
     */
    private static void disableLeakSamplingUnlessAsked() {
        if (System.getProperty(LEAK_DETECTION_PROPERTY) == null) {
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        }
    }
}
