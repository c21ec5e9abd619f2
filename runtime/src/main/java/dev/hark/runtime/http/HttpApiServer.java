package dev.hark.runtime.http;

import dev.hark.runtime.concurrent.DaemonThreads;
import dev.hark.runtime.metrics.HarkMetrics;
import dev.hark.runtime.metrics.MetricsScrape;
import dev.hark.workflow.internal.Json;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runtime's HTTP server (Netty, HTTP/1.1 keep-alive): the event endpoint
 * {@code /event/send_event/…} and, when given, the admin API ({@code /workflows…}, {@code /health},
 * {@code GET /metrics} ({@link MetricsHandler}), {@code POST /admin/backup} ({@link BackupHandler})).
 * Anything else is a JSON 404; a body over the limit is a JSON 413.
 *
 * <p>Event requests are parsed and handed to the inbox on the connection's I/O thread (the work is
 * short and never blocks); their replies are settled by whichever thread settles the delivery and
 * written by the connection's I/O thread in request order ({@link HttpConnection}). Admin requests,
 * which read the store and run definitions' code, go to two admin threads.
 *
 * <p>Against hostile clients: connections over {@link HttpSettings#maxConnections} are answered 503
 * and closed, idle and stalled connections are closed ({@link HttpConnection}), decoder failures are
 * answered 414/431/400, failed accepts are logged at most once per 10 s, and requests a web page
 * could make are refused ({@link HostRules}).
 */
public final class HttpApiServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HttpApiServer.class);
    /**
     * One I/O thread per two cores: event requests are short, and on a small machine a second loop
     * only competes with the store writer and the workers (measured: 13,220 vs 12,387 events/s on
     * 2 cores, docs/PERFORMANCE.md).
     */
    private static final int IO_THREADS = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);

    private final EventLoopGroup group;
    private final Channel channel;
    private final ExecutorService adminThreads;
    private final OwnerForwarding forwarding;

    private HttpApiServer(
            EventLoopGroup group, Channel channel, ExecutorService adminThreads, OwnerForwarding forwarding) {
        this.group = group;
        this.channel = channel;
        this.adminThreads = adminThreads;
        this.forwarding = forwarding;
    }

    /** Which endpoints a server serves. */
    public enum Endpoints {
        /** The event endpoint, the admin API and the health probes. */
        ALL,
        /** The event endpoint and the health probes ({@code /health/live}, {@code /health/ready}). */
        EVENTS,
        /** The admin API and the health probes; no events. */
        ADMIN
    }

    /**
     * Binds and starts the server.
     *
     * @param admin the admin operations, or null to serve events only (and no health probes)
     * @throws IllegalStateException if the address cannot be bound (in use, not local)
     * @throws IllegalArgumentException if the TLS files cannot be used
     */
    public static HttpApiServer start(HttpSettings settings, EventSender sender, AdminOperations admin) {
        return start(settings, sender, admin, Endpoints.ALL);
    }

    /**
     * Binds and starts a server for some of the endpoints, so that the admin API can listen on an
     * address of its own.
     *
     * @param sender where events go; unused for {@link Endpoints#ADMIN}
     * @param admin the admin operations (also the health probes), or null to serve events only
     */
    public static HttpApiServer start(
            HttpSettings settings, EventSender sender, AdminOperations admin, Endpoints endpoints) {
        return start(settings, sender, admin, endpoints, HarkMetrics.NONE, null);
    }

    /**
     * As {@link #start(HttpSettings, EventSender, AdminOperations, Endpoints)}, counting replies by
     * status in {@code metrics} and, where the admin API is served, answering {@code GET /metrics}.
     *
     * @param scrape renders {@code GET /metrics}, or null to serve no such endpoint
     */
    public static HttpApiServer start(
            HttpSettings settings,
            EventSender sender,
            AdminOperations admin,
            Endpoints endpoints,
            HarkMetrics metrics,
            MetricsScrape scrape) {
        return start(settings, sender, admin, endpoints, Transport.best(), metrics, scrape);
    }

    /** How the server talks to sockets. */
    enum Transport {
        /**
         * Linux's io_uring through Netty's native library: the reads and writes of all connections
         * go to the kernel in one call per loop turn instead of one system call each.
         */
        IO_URING,
        /** Linux's epoll through Netty's native library: fewer copies and system calls than NIO. */
        EPOLL,
        /** The JDK's selector: everywhere. */
        NIO;

        /** @return whether Netty's native library for this transport loads here (and the kernel allows it) */
        boolean isAvailable() {
            return switch (this) {
                case IO_URING -> IoUring.isAvailable();
                case EPOLL -> Epoll.isAvailable();
                case NIO -> true;
            };
        }

        /** @return the first transport, in declaration order, that works here */
        static Transport best() {
            for (Transport transport : values()) {
                if (transport.isAvailable()) {
                    return transport;
                }
            }
            return NIO;
        }

        IoHandlerFactory ioHandlerFactory() {
            return switch (this) {
                case IO_URING -> IoUringIoHandler.newFactory();
                case EPOLL -> EpollIoHandler.newFactory();
                case NIO -> NioIoHandler.newFactory();
            };
        }

        Class<? extends ServerChannel> serverChannel() {
            return switch (this) {
                case IO_URING -> IoUringServerSocketChannel.class;
                case EPOLL -> EpollServerSocketChannel.class;
                case NIO -> NioServerSocketChannel.class;
            };
        }
    }

    static HttpApiServer start(HttpSettings settings, EventSender sender, AdminOperations admin, Transport transport) {
        return start(settings, sender, admin, Endpoints.ALL, transport);
    }

    static HttpApiServer start(
            HttpSettings settings,
            EventSender sender,
            AdminOperations admin,
            Endpoints endpoints,
            Transport transport) {
        return start(settings, sender, admin, endpoints, transport, HarkMetrics.NONE, null);
    }

    static HttpApiServer start(
            HttpSettings settings,
            EventSender sender,
            AdminOperations admin,
            Endpoints endpoints,
            Transport transport,
            HarkMetrics metrics,
            MetricsScrape scrape) {
        SslContext tls = settings.tls() == null ? null : settings.tls().serverContext();
        Authenticator authenticator = new Authenticator(settings.credentials(), Clock.systemUTC());
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(
                IO_THREADS, new DefaultThreadFactory("hark-http", true), transport.ioHandlerFactory());
        OwnerForwarding forwarding =
                new OwnerForwarding(settings.replyTimeout(), sender == null ? () -> null : sender::nodeLeases);
        EventHandler events = endpoints == Endpoints.ADMIN
                ? null
                : new EventHandler(settings, sender, authenticator, group.next(), forwarding);
        // A separate admin server cannot forward: other nodes advertise only their event address, whose
        // server does not serve the admin API, so the caller is told which node runs the workflow.
        AdminHandler adminHandler =
                admin == null ? null : new AdminHandler(admin, endpoints == Endpoints.ADMIN ? null : forwarding);
        ExecutorService adminThreads =
                admin == null ? null : AdminHandler.executor(DaemonThreads.numbered("hark-admin"));
        Router router = new Router(events, adminHandler, adminThreads, endpoints != Endpoints.EVENTS, authenticator);
        router.metrics(metrics, scrape == null || adminHandler == null ? null : new MetricsHandler(scrape));
        router.backups(admin == null ? null : new BackupHandler(admin));
        HostRules hosts = new HostRules(settings.effectiveAllowedHosts());
        ConnectionLimit limit = new ConnectionLimit(settings.maxConnections());
        HttpDecoderConfig decoding = new HttpDecoderConfig()
                .setMaxInitialLineLength(settings.maxRequestLineBytes())
                .setMaxHeaderSize(settings.maxHeaderBytes());
        try {
            Channel channel = new ServerBootstrap()
                    .group(group)
                    .channel(transport.serverChannel())
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .handler(new AcceptFailures())
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel channel) {
                            if (!limit.admit(channel)) {
                                return;
                            }
                            HttpConnection connection = new HttpConnection(settings, router, hosts);
                            if (tls != null) {
                                channel.pipeline().addLast(tls.newHandler(channel.alloc()));
                            }
                            channel.pipeline()
                                    .addLast(connection.reads())
                                    .addLast(new HttpServerCodec(decoding.clone()))
                                    .addLast(connection.bodyLimit(settings.maxBodyBytes()))
                                    .addLast(connection.requests());
                        }
                    })
                    .bind(new InetSocketAddress(settings.host(), settings.port()))
                    .syncUninterruptibly()
                    .channel();
            HttpApiServer server = new HttpApiServer(group, channel, adminThreads, forwarding);
            String base = (tls == null ? "http://" : "https://") + settings.host() + ":"
                    + server.address().getPort();
            LOG.info(
                    "Serving {} ({} transport, {})",
                    switch (endpoints) {
                        case ALL ->
                            "HTTP events at " + base + EventHandler.PATH + "<workflow_id>"
                                    + (admin == null ? "" : " and the admin API at " + base + AdminHandler.WORKFLOWS);
                        case EVENTS -> "HTTP events at " + base + EventHandler.PATH + "<workflow_id>";
                        case ADMIN -> "the admin API at " + base + AdminHandler.WORKFLOWS;
                    },
                    transport.name().toLowerCase(Locale.ROOT),
                    settings.credentials().isEmpty()
                            ? "no credentials: every request is served"
                            : settings.credentials().toString());
            return server;
        } catch (Exception e) { // Netty rethrows the checked BindException undeclared
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            if (adminThreads != null) {
                adminThreads.shutdownNow();
            }
            throw new IllegalStateException(
                    "cannot serve HTTP on " + settings.host() + ":" + settings.port() + ": " + e.getMessage()
                            + " (is the port in use? choose another port)",
                    e);
        }
    }

    /** @return the bound address (the real port when 0 was asked) */
    public InetSocketAddress address() {
        return (InetSocketAddress) channel.localAddress();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        if (adminThreads != null) {
            adminThreads.shutdownNow();
        }
        forwarding.close();
    }

    /** @return the listening channel (tests fire accept failures through its pipeline) */
    Channel serverChannel() {
        return channel;
    }

    /**
     * Counts open connections; one over the cap is answered a short 503 with {@code Connection: close}
     * as soon as it is accepted, before anything is read, and closed.
     */
    private static final class ConnectionLimit {
        private static final byte[] REFUSAL;

        static {
            byte[] body = Json.MAPPER.writeValueAsBytes(HttpExchanges.error(
                    "too_many_connections", "the server has too many open connections; try again later", null));
            byte[] head = ("HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: "
                            + body.length + "\r\nRetry-After: 1\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII);
            REFUSAL = new byte[head.length + body.length];
            System.arraycopy(head, 0, REFUSAL, 0, head.length);
            System.arraycopy(body, 0, REFUSAL, head.length, body.length);
        }

        private final int max;
        private final AtomicInteger open = new AtomicInteger();
        private final RateLimitedLog refusals = new RateLimitedLog(LOG, 10, TimeUnit.SECONDS);

        ConnectionLimit(int max) {
            this.max = max;
        }

        /** @return whether {@code channel} may be served; if not, it is answered 503 and closed */
        boolean admit(Channel channel) {
            int now = open.incrementAndGet();
            channel.closeFuture().addListener(closed -> open.decrementAndGet());
            if (now <= max) {
                return true;
            }
            refusals.warn("Refusing HTTP connections: " + max + " are open, the limit (HttpSettings.maxConnections)");
            channel.writeAndFlush(Unpooled.wrappedBuffer(REFUSAL)).addListener(ChannelFutureListener.CLOSE);
            return false;
        }
    }

    /**
     * On the listening channel: a failed accept (typically "Too many open files") is logged at most
     * once per 10 s, without a stack trace, and accepting pauses for a second so that the loop does
     * not spin on the same failure. Netty's own acceptor would pause too but then hand the failure
     * to the end of the pipeline, which logs a warning with a stack trace for each one.
     */
    private static final class AcceptFailures extends ChannelInboundHandlerAdapter {
        private final RateLimitedLog log = new RateLimitedLog(LOG, 10, TimeUnit.SECONDS);

        @Override
        public boolean isSharable() {
            return true;
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
            log.warn("Accepting an HTTP connection failed: " + cause + "; pausing accepts for 1 s (too many open"
                    + " files? raise ulimit -n or lower HttpSettings.maxConnections)");
            LOG.debug("Accept failure", cause);
            ChannelConfig config = context.channel().config();
            if (config.isAutoRead()) {
                config.setAutoRead(false);
                context.channel().eventLoop().schedule(() -> config.setAutoRead(true), 1, TimeUnit.SECONDS);
            }
        }
    }

    /** Sends each request to its handler by path, once it is allowed. */
    static final class Router {
        private final EventHandler events;
        private final AdminHandler admin;
        private final ExecutorService adminThreads;
        private final boolean adminApi;
        private final Authenticator authenticator;
        private HarkMetrics metrics = HarkMetrics.NONE;
        /** {@code GET /metrics}, or null when this server does not serve it. */
        private MetricsHandler metricsHandler;
        /** {@code POST /admin/backup}, or null when this server has no admin API. */
        private BackupHandler backupHandler;

        /**
         * @param events the event endpoint, or null when this server does not serve events
         * @param admin the admin handler (for the probes, and the API when {@code adminApi}), or null
         */
        Router(
                EventHandler events,
                AdminHandler admin,
                ExecutorService adminThreads,
                boolean adminApi,
                Authenticator authenticator) {
            this.events = events;
            this.admin = admin;
            this.adminThreads = adminThreads;
            this.adminApi = adminApi;
            this.authenticator = authenticator;
        }

        /** Counts replies in {@code metrics}; serves {@code GET /metrics} with the admin API when given a handler. */
        void metrics(HarkMetrics metrics, MetricsHandler handler) {
            this.metrics = metrics;
            this.metricsHandler = handler;
        }

        HarkMetrics metrics() {
            return metrics;
        }

        void backups(BackupHandler handler) {
            this.backupHandler = handler;
        }

        /** Serves {@code call} on an admin thread once an admin token (if credentials are set) allows it. */
        private void adminOnly(HttpCall call, Consumer<HttpCall> handler) {
            if (authenticator.admin(call) instanceof Authenticator.Refused refused) {
                call.reply(
                        refused.status(),
                        refused.headers(),
                        HttpExchanges.error(refused.code(), refused.message(), null));
                return;
            }
            try {
                adminThreads.execute(() -> handler.accept(call));
            } catch (RejectedExecutionException e) {
                call.reply(
                        503,
                        Map.of("Retry-After", "1"),
                        HttpExchanges.error("admin_busy", "the admin threads are busy or stopping", null));
            }
        }

        void route(HttpCall call) {
            String path = call.path();
            if (metricsHandler != null && adminApi && path.equals(MetricsHandler.PATH)) {
                adminOnly(call, metricsHandler::handle);
                return;
            }
            if (backupHandler != null && adminApi && path.equals(BackupHandler.PATH)) {
                adminOnly(call, backupHandler::handle);
                return;
            }
            if (events != null && path.startsWith(EventHandler.PATH)) {
                events.handle(call); // authenticated there: the decision needs the workflow id and the body
            } else if (admin != null && AdminHandler.isProbe(path)) {
                admin.submit(adminThreads, call); // for load balancers and orchestrators: no credential
            } else if (admin != null && adminApi && ConsoleAssets.serves(path)) {
                ConsoleAssets.bundled().serve(call); // code, no data: its calls for data need the admin token
            } else if (admin != null && adminApi && AdminHandler.serves(path)) {
                if (authenticator.admin(call) instanceof Authenticator.Refused refused) {
                    call.reply(
                            refused.status(),
                            refused.headers(),
                            HttpExchanges.error(refused.code(), refused.message(), null));
                    return;
                }
                admin.submit(adminThreads, call);
            } else {
                String served = events == null ? "" : "send events with POST " + EventHandler.PATH + "<workflow_id>";
                if (admin != null && adminApi) {
                    served += (served.isEmpty() ? "" : ", ") + "manage workflows under " + AdminHandler.WORKFLOWS;
                } else if (admin != null && (AdminHandler.serves(path) || ConsoleAssets.serves(path))) {
                    served += "; the admin API (and the console with it) is served on its own address";
                }
                call.reply(404, HttpExchanges.error("not_found", "no such endpoint; " + served, null));
            }
        }
    }
}
