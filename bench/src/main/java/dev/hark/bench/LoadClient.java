package dev.hark.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A wrk-like HTTP/1.1 load generator: C keep-alive connections on one event-loop thread
 * ({@code load-client}), each with one request outstanding, sending
 * {@code POST /event/send_event/h-<i>} for i = 0..N-1 and recording each request's latency from
 * write to the end of its reply. It runs on Netty's io_uring transport where the kernel allows it
 * (like the server), else NIO: a client that paid a system call per request and reply would be
 * measured as much as the server, since it shares the same two cores.
 */
final class LoadClient implements AutoCloseable {

    /** {@code bench.idempotent}: every request carries an Idempotency-Key, so every checkpoint writes a claim. */
    static final boolean IDEMPOTENT = Boolean.getBoolean("bench.idempotent");

    /**
     * {@code bench.token}: every request carries {@code Authorization: Bearer <token>}, and the server
     * is given it as an events token, so every request is authenticated.
     */
    static final String TOKEN = System.getProperty("bench.token");

    private static final byte[] CRLF_CRLF = "\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CONTENT_LENGTH = "content-length:".getBytes(StandardCharsets.US_ASCII);

    private final int port;
    private final int n;
    private final int connections;
    private final long[] latencies;
    private final AtomicInteger non200;
    private final CountDownLatch finished = new CountDownLatch(1);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final List<Channel> open = new ArrayList<>();
    private EventLoopGroup group;
    // Only the client's one event-loop thread touches these.
    private int next;
    private int done;

    LoadClient(int port, int n, int connections, long[] latencies, AtomicInteger non200) {
        this.port = port;
        this.n = n;
        this.connections = connections;
        this.latencies = latencies;
        this.non200 = non200;
    }

    /** @return which socket transport the client uses here */
    static String transport() {
        return IoUring.isAvailable() ? "io_uring" : "nio";
    }

    /**
     * Opens the connections. Their event-loop thread lives until {@link #close()}, so that a
     * per-thread CPU snapshot taken around {@link #run()} counts it.
     */
    LoadClient open() {
        boolean uring = IoUring.isAvailable();
        IoHandlerFactory io = uring ? IoUringIoHandler.newFactory() : NioIoHandler.newFactory();
        group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("load-client", true), io);
        Bootstrap bootstrap = new Bootstrap()
                .group(group)
                .channel(uring ? IoUringSocketChannel.class : NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true);
        for (int c = 0; c < Math.min(connections, n); c++) {
            open.add(bootstrap
                    .clone()
                    .handler(new Connection())
                    .connect("127.0.0.1", port)
                    .syncUninterruptibly()
                    .channel());
        }
        return this;
    }

    /** Sends all N requests, starting on every connection at once, and waits for the last reply. */
    void run() throws IOException, InterruptedException {
        group.next()
                .execute(() -> open.forEach(
                        channel -> channel.pipeline().get(Connection.class).sendNext(channel)));
        finished.await();
        if (failure.get() != null) {
            throw new IOException("load client failed: " + failure.get(), failure.get());
        }
    }

    @Override
    public void close() {
        if (group != null) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /** One keep-alive connection: the request in flight and the reply read so far. */
    private final class Connection extends ChannelInboundHandlerAdapter {
        private final ByteBuf in = Unpooled.buffer(4096);
        private int request = -1;
        private long sentAt;

        void sendNext(Channel channel) {
            if (next >= n) {
                channel.close();
                return;
            }
            int i = next++;
            byte[] body = ("{\"event_key\":\"key-" + i + "\",\"event_payload\":{\"n\":" + i + "}}")
                    .getBytes(StandardCharsets.UTF_8);
            byte[] head = ("POST /event/send_event/h-" + i + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                            + (IDEMPOTENT ? "Idempotency-Key: pay-" + i + "\r\n" : "")
                            + (TOKEN != null ? "Authorization: Bearer " + TOKEN + "\r\n" : "")
                            + "Content-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII);
            request = i;
            in.clear();
            sentAt = System.nanoTime();
            channel.writeAndFlush(Unpooled.wrappedBuffer(head, body), channel.voidPromise());
        }

        @Override
        public void channelRead(ChannelHandlerContext context, Object message) {
            ByteBuf bytes = (ByteBuf) message;
            try {
                in.writeBytes(bytes);
            } finally {
                bytes.release();
            }
            if (replyComplete()) {
                if (++done == n) {
                    finished.countDown();
                }
                sendNext(context.channel());
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext context) {
            if (done < n && request >= 0 && latencies[request] == 0) {
                exceptionCaught(
                        context,
                        new IOException("the server closed a connection with request " + request + " unanswered"));
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
            failure.compareAndSet(null, cause);
            finished.countDown();
            context.close();
        }

        /** @return whether the buffer holds a whole reply; records it if so */
        private boolean replyComplete() {
            byte[] bytes = in.array();
            int length = in.writerIndex();
            int headerEnd = indexOf(bytes, length, CRLF_CRLF);
            if (headerEnd < 0) {
                return false;
            }
            int lengthAt = indexOfIgnoreCase(bytes, headerEnd, CONTENT_LENGTH);
            int bodyLength = 0;
            for (int i = lengthAt + CONTENT_LENGTH.length; lengthAt >= 0 && i < headerEnd; i++) {
                byte b = bytes[i];
                if (b >= '0' && b <= '9') {
                    bodyLength = bodyLength * 10 + (b - '0');
                } else if (b != ' ') {
                    break;
                }
            }
            if (length < headerEnd + 4 + bodyLength) {
                return false;
            }
            latencies[request] = System.nanoTime() - sentAt;
            boolean ok = bytes[9] == '2' && bytes[10] == '0' && bytes[11] == '0';
            if (!ok) {
                non200.incrementAndGet();
            }
            return true;
        }
    }

    private static int indexOf(byte[] bytes, int length, byte[] marker) {
        outer:
        for (int i = 0; i + marker.length <= length; i++) {
            for (int k = 0; k < marker.length; k++) {
                if (bytes[i + k] != marker[k]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static int indexOfIgnoreCase(byte[] bytes, int length, byte[] lowerMarker) {
        outer:
        for (int i = 0; i + lowerMarker.length <= length; i++) {
            for (int k = 0; k < lowerMarker.length; k++) {
                int b = bytes[i + k];
                if ((b >= 'A' && b <= 'Z' ? b + 32 : b) != lowerMarker[k]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
