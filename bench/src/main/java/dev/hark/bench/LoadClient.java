package dev.hark.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A wrk-like HTTP/1.1 load generator: C keep-alive connections on one selector thread, each with one
 * request outstanding, sending {@code POST /event/send_event/h-<i>} for i = 0..N-1 and recording
 * each request's latency from write to the end of its reply.
 */
final class LoadClient {

    private final int port;
    private final int n;
    private final int connections;
    private final long[] latencies;
    private final AtomicInteger non200;
    private int next;
    private int done;

    LoadClient(int port, int n, int connections, long[] latencies, AtomicInteger non200) {
        this.port = port;
        this.n = n;
        this.connections = connections;
        this.latencies = latencies;
        this.non200 = non200;
    }

    /** Per connection: the request in flight and the reply read so far. */
    private static final class Connection {
        final SocketChannel channel;
        ByteBuffer out;
        ByteBuffer in = ByteBuffer.allocate(4096);
        int request = -1;
        long sentAt;

        Connection(SocketChannel channel) {
            this.channel = channel;
        }
    }

    void run() throws IOException {
        try (Selector selector = Selector.open()) {
            for (int c = 0; c < connections && next < n; c++) {
                SocketChannel channel = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                channel.configureBlocking(false);
                Connection connection = new Connection(channel);
                channel.register(selector, SelectionKey.OP_WRITE, connection);
                prepare(connection);
            }
            while (done < n) {
                selector.select();
                for (SelectionKey key : selector.selectedKeys()) {
                    Connection connection = (Connection) key.attachment();
                    if (key.isWritable()) {
                        connection.channel.write(connection.out);
                        if (!connection.out.hasRemaining()) {
                            key.interestOps(SelectionKey.OP_READ);
                        }
                    } else if (key.isReadable()) {
                        if (connection.channel.read(connection.in) < 0) {
                            throw new IOException("server closed a connection");
                        }
                        if (replyComplete(connection)) {
                            if (next < n) {
                                prepare(connection);
                                connection.channel.write(connection.out);
                                key.interestOps(connection.out.hasRemaining() ? SelectionKey.OP_WRITE : SelectionKey.OP_READ);
                            } else {
                                key.cancel();
                                connection.channel.close();
                            }
                        }
                    }
                }
                selector.selectedKeys().clear();
            }
        }
    }

    private void prepare(Connection connection) {
        int i = next++;
        byte[] body = ("{\"event_key\":\"key-" + i + "\",\"event_payload\":{\"n\":" + i + "}}")
                .getBytes(StandardCharsets.UTF_8);
        byte[] head = ("POST /event/send_event/h-" + i + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Content-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        connection.out = ByteBuffer.allocate(head.length + body.length).put(head).put(body).flip();
        connection.request = i;
        connection.in.clear();
        connection.sentAt = System.nanoTime();
    }

    /** @return whether the buffer holds a whole reply; records it if so */
    private boolean replyComplete(Connection connection) {
        ByteBuffer in = connection.in;
        byte[] bytes = in.array();
        int length = in.position();
        int headerEnd = indexOf(bytes, length, CRLF_CRLF, 0);
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
        latencies[connection.request] = System.nanoTime() - connection.sentAt;
        boolean ok = bytes[9] == '2' && bytes[10] == '0' && bytes[11] == '0';
        if (!ok) {
            non200.incrementAndGet();
        }
        done++;
        return true;
    }

    private static final byte[] CRLF_CRLF = "\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CONTENT_LENGTH = "content-length:".getBytes(StandardCharsets.US_ASCII);

    private static int indexOf(byte[] bytes, int length, byte[] marker, int from) {
        outer:
        for (int i = from; i + marker.length <= length; i++) {
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
