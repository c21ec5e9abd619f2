package dev.hark.runtime.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runtime's HTTP server (Netty, HTTP/1.1 keep-alive): the event endpoint
 * {@code /event/send_event/…} and, when given, the admin API ({@code /workflows…}, {@code /health}).
 * Anything else is a JSON 404; a body over the limit is a JSON 413.
 *
 * <p>Event requests are parsed and handed to the inbox on the connection's I/O thread (the work is
 * short and never blocks); their replies are written from whichever thread settles the delivery.
 * Admin requests, which read the store and run definitions' code, go to two admin threads.
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

    private HttpApiServer(EventLoopGroup group, Channel channel, ExecutorService adminThreads) {
        this.group = group;
        this.channel = channel;
        this.adminThreads = adminThreads;
    }

    /**
     * Binds and starts the server.
     *
     * @param admin the admin operations, or null to serve events only
     * @throws IllegalStateException if the address cannot be bound (in use, not local)
     */
    public static HttpApiServer start(HttpSettings settings, EventSender sender, AdminOperations admin) {
        return start(settings, sender, admin, Transport.best());
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
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(IO_THREADS, new DefaultThreadFactory("hark-http", true),
                transport.ioHandlerFactory());
        EventHandler events = new EventHandler(settings, sender, group.next());
        AdminHandler adminHandler = admin == null ? null : new AdminHandler(admin);
        AtomicInteger adminNumber = new AtomicInteger();
        ExecutorService adminThreads = admin == null ? null : AdminHandler.executor(runnable -> {
            Thread thread = new Thread(runnable, "hark-admin-" + adminNumber.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        Router router = new Router(events, adminHandler, adminThreads);
        try {
            Channel channel = new ServerBootstrap()
                    .group(group)
                    .channel(transport.serverChannel())
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel channel) {
                            channel.pipeline()
                                    .addLast(new HttpServerCodec())
                                    .addLast(new BodyLimit(settings.maxBodyBytes()))
                                    .addLast(router);
                        }
                    })
                    .bind(new InetSocketAddress(settings.host(), settings.port()))
                    .syncUninterruptibly()
                    .channel();
            HttpApiServer server = new HttpApiServer(group, channel, adminThreads);
            LOG.info("Serving HTTP events at http://{}:{}{}<workflow_id>{} ({} transport)", settings.host(),
                    server.address().getPort(), EventHandler.PATH,
                    admin == null ? "" : " and the admin API at " + AdminHandler.WORKFLOWS, transport.name().toLowerCase(Locale.ROOT));
            return server;
        } catch (Exception e) { // Netty rethrows the checked BindException undeclared
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            if (adminThreads != null) {
                adminThreads.shutdownNow();
            }
            throw new IllegalStateException("cannot serve HTTP on " + settings.host() + ":" + settings.port()
                    + ": " + e.getMessage() + " (is the port in use? choose another port)", e);
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
    }

    /** Aggregates a request's body up to the limit; answers a JSON 413 beyond it. */
    private static final class BodyLimit extends HttpObjectAggregator {
        private final int maxBytes;

        BodyLimit(int maxBytes) {
            super(maxBytes);
            this.maxBytes = maxBytes;
        }

        @Override
        protected void handleOversizedMessage(ChannelHandlerContext context, HttpMessage oversized) {
            byte[] body = dev.hark.runtime.json.Json.MAPPER.writeValueAsBytes(HttpExchanges.error("body_too_large",
                    "the body is larger than the limit of " + maxBytes + " bytes", null));
            // The rest of an oversized body is not read, so the connection cannot be reused.
            NettyHttpCall.write(context, 413, Map.of(), body, false);
            if (HttpUtil.is100ContinueExpected(oversized)) {
                oversized.headers().remove(HttpHeaderNames.EXPECT);
            }
        }
    }

    /** Sends each request to its handler by path. */
    @ChannelHandler.Sharable
    private static final class Router extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final EventHandler events;
        private final AdminHandler admin;
        private final ExecutorService adminThreads;

        Router(EventHandler events, AdminHandler admin, ExecutorService adminThreads) {
            this.events = events;
            this.admin = admin;
            this.adminThreads = adminThreads;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext context, FullHttpRequest request) {
            NettyHttpCall call = new NettyHttpCall(context, request);
            String path = call.path();
            if (path.startsWith(EventHandler.PATH)) {
                events.handle(call);
            } else if (admin != null && AdminHandler.serves(path)) {
                admin.submit(adminThreads, call);
            } else {
                call.reply(404, HttpExchanges.error("not_found", "no such endpoint; send events with POST "
                        + EventHandler.PATH + "<workflow_id>"
                        + (admin == null ? "" : ", manage workflows under " + AdminHandler.WORKFLOWS), null));
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
            LOG.debug("HTTP connection failed; closing it", cause);
            context.close();
        }
    }
}
