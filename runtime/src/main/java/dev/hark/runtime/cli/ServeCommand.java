package dev.hark.runtime.cli;

import dev.hark.runtime.Hark;
import dev.hark.runtime.http.HttpSettings;
import dev.hark.runtime.plugin.PluginLoadException;
import dev.hark.runtime.plugin.PluginLoader;
import dev.hark.runtime.plugin.PluginSet;
import dev.hark.runtime.storage.ClaimRetention;
import io.netty.util.ResourceLeakDetector;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code hark serve}: loads and validates plugins, opens the data folder, resumes what was running,
 * and serves the event endpoint and the admin API until SIGTERM (or Ctrl-C), then shuts down
 * cleanly. Nothing acknowledged is lost to a SIGKILL either: every 200 and 201 follows a durable
 * write.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Run the standalone runtime: plugins, HTTP events, admin API.")
final class ServeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--data", paramLabel = "DIR", defaultValue = "hark-data",
            description = "Data folder (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--plugins", paramLabel = "DIR", defaultValue = "plugins",
            description = "Plugins folder: plugins/<name>/ (its jars are one plugin) or plugins/<name>.jar"
                    + " (default: ${DEFAULT-VALUE}).")
    Path pluginsDir;

    @Option(names = "--host", defaultValue = HttpSettings.DEFAULT_HOST,
            description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", defaultValue = "" + HttpSettings.DEFAULT_PORT,
            description = "Port to listen on; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--allowed-host", paramLabel = "NAME",
            description = "A host name clients may use in the Host header, besides localhost, 127.0.0.1, [::1] and"
                    + " --host (repeat for several; '*' allows any, giving up the DNS-rebinding defence)."
                    + " Needed when clients reach the server by a DNS name.")
    List<String> allowedHosts = new ArrayList<>();

    @Option(names = "--claim-retention", paramLabel = "DURATION", defaultValue = "30d",
            converter = ClaimRetentionConverter.class,
            description = "How long an event claim is kept once its commit is recorded: 'forever', 30d, 12h, 15m,"
                    + " 90s or ISO-8601 (default: ${DEFAULT-VALUE}). Claims of uncommitted events are always kept.")
    ClaimRetention claimRetention;

    static final class ClaimRetentionConverter implements picocli.CommandLine.ITypeConverter<ClaimRetention> {
        @Override
        public ClaimRetention convert(String value) {
            try {
                return ClaimRetention.parse(value);
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    @Option(names = "--strict-plugins",
            description = "Refuse to start when any plugin breaks a rule (default: skip bad plugins).")
    boolean strictPlugins;

    HttpSettings httpSettings() {
        List<String> hosts = new ArrayList<>(HttpSettings.DEFAULT_ALLOWED_HOSTS);
        hosts.addAll(allowedHosts);
        return HttpSettings.defaults().withHost(host).withPort(port).withAllowedHosts(hosts);
    }

    /** Netty's system property for its leak detector; an explicit setting is left alone. */
    private static final String LEAK_DETECTION_PROPERTY = "io.netty.leakDetection.level";

    @Override
    public Integer call() throws Exception {
        disableLeakSamplingUnlessAsked();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
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

        HttpSettings http;
        try {
            http = httpSettings();
        } catch (IllegalArgumentException e) {
            plugins.close();
            err.println("hark: " + e.getMessage());
            err.flush();
            return ExitCodes.USAGE;
        }
        Hark hark;
        try {
            hark = Hark.builder()
                    .dataDir(dataDir)
                    .classLoader(plugins.classLoader())
                    .definitions(plugins.definitions().values())
                    .http(http)
                    .adminApi(true)
                    .claimRetention(claimRetention)
                    .resumeAllOnOpen(true)
                    .open();
        } catch (IllegalStateException | dev.hark.runtime.storage.StorageException e) {
            // The data folder is locked or unusable, or the port is taken: say which, no stack trace.
            plugins.close();
            err.println("hark: cannot start: " + e.getMessage());
            err.flush();
            return ExitCodes.REFUSED;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        AtomicBoolean shuttingDown = new AtomicBoolean();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            shuttingDown.set(true);
            hark.close();
            plugins.close();
            stopped.countDown();
        }, "hark-shutdown"));

        // HTTP is up while the workflows that were running are resumed (on their own thread):
        // /health says "starting" (503) and an event for a workflow not re-parked yet gets 503 with
        // Retry-After, never 404, until every wait is parked again; then /health says "ok".
        int boundPort = hark.httpAddress().orElseThrow().getPort();
        out.println("Listening on http://" + host + ":" + boundPort
                + "  (events: POST /event/send_event/<workflow_id>; admin: /workflows, /health)");
        out.println("Workflow definitions: " + hark.definitions());
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
                + (resumed.isEmpty() ? "" : " " + resumed.keySet().stream().sorted().toList()));
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
