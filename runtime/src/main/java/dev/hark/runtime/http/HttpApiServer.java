package dev.hark.runtime.http;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runtime's HTTP server (the JDK's): the event endpoint {@code /event/send_event/…}, and, when
 * given, the admin API ({@code /workflows…}, {@code /health}). Anything else is a JSON 404.
 */
public final class HttpApiServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HttpApiServer.class);

    private final HttpServer server;
    private final ExecutorService requestThreads;

    private HttpApiServer(HttpServer server, ExecutorService requestThreads) {
        this.server = server;
        this.requestThreads = requestThreads;
    }

    /**
     * Binds and starts the server.
     *
     * @param admin the admin operations, or null to serve events only
     * @throws IllegalStateException if the address cannot be bound (in use, not local)
     */
    public static HttpApiServer start(HttpSettings settings, EventSender sender, AdminOperations admin) {
        // Replies are small and written as headers then body; with Nagle's algorithm on, the
        // client's delayed ACK holds each reply back ~40 ms. The JDK server reads this once.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(settings.host(), settings.port()), 1024);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serve HTTP on " + settings.host() + ":" + settings.port()
                    + ": " + e.getMessage() + " (is the port in use? choose another port)", e);
        }
        AtomicInteger number = new AtomicInteger();
        ExecutorService threads = Executors.newFixedThreadPool(2, runnable -> {
            Thread thread = new Thread(runnable, "hark-http-" + number.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        server.createContext(EventHandler.PATH, new EventHandler(settings, sender));
        if (admin != null) {
            AdminHandler adminHandler = new AdminHandler(settings, admin);
            server.createContext(AdminHandler.WORKFLOWS, adminHandler);
            server.createContext(AdminHandler.HEALTH, adminHandler);
        }
        server.createContext("/", exchange -> HttpExchanges.reply(exchange, 404, HttpExchanges.error("not_found",
                "no such endpoint; send events with POST " + EventHandler.PATH + "<workflow_id>"
                        + (admin == null ? "" : ", manage workflows under " + AdminHandler.WORKFLOWS), null)));
        server.setExecutor(threads);
        server.start();
        LOG.info("Serving HTTP events at http://{}:{}{}<workflow_id>{}", settings.host(), server.getAddress().getPort(),
                EventHandler.PATH, admin == null ? "" : " and the admin API at " + AdminHandler.WORKFLOWS);
        return new HttpApiServer(server, threads);
    }

    /** @return the bound address (the real port when 0 was asked) */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    @Override
    public void close() {
        server.stop(0);
        requestThreads.shutdownNow();
    }
}
