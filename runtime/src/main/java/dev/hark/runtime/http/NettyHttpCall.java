package dev.hark.runtime.http;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.ReadOnlyHttpHeaders;
import io.netty.util.AsciiString;
import java.util.Map;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * An {@link HttpCall} over a Netty connection; the request's body is copied out at once. Its reply
 * is not written directly but handed to its {@link HttpConnection}, which writes the replies of a
 * connection in the order of their requests.
 */
final class NettyHttpCall implements HttpCall {

    private static final AtomicIntegerFieldUpdater<NettyHttpCall> REPLIED =
            AtomicIntegerFieldUpdater.newUpdater(NettyHttpCall.class, "replied");

    /** Content-Length values of the 200 replies, which are short: one immutable string per length. */
    private static final AsciiString[] CONTENT_LENGTHS = new AsciiString[1024];

    private final HttpConnection connection;
    private final String method;
    private final String path;
    private final String rawQuery;
    private final HttpHeaders headers;
    private final byte[] body;
    /** Whether the connection is closed once this reply is written; set on the event loop before any reply. */
    private boolean closeAfter;

    @SuppressWarnings("unused") // through REPLIED
    private volatile int replied;
    /** The reply, once there is one: published by the replying thread, written by the connection's loop. */
    private volatile FullHttpResponse response;

    NettyHttpCall(HttpConnection connection, FullHttpRequest request) {
        this.connection = connection;
        this.method = request.method().name();
        String uri = request.uri();
        if (isPlainPath(uri)) { // nearly every event request: nothing to decode
            this.path = uri;
            this.rawQuery = null;
        } else {
            QueryStringDecoder decoded = new QueryStringDecoder(uri);
            this.path = decoded.path();
            this.rawQuery = decoded.rawQuery().isEmpty() ? null : decoded.rawQuery();
        }
        this.headers = request.headers();
        this.body = ByteBufUtil.getBytes(request.content());
        this.closeAfter = !HttpUtil.isKeepAlive(request);
    }

    /** A reply with no request the handlers could see (a timed-out or oversized one); closes the connection. */
    NettyHttpCall(HttpConnection connection) {
        this.connection = connection;
        this.method = "";
        this.path = "";
        this.rawQuery = null;
        this.headers = EmptyHttpHeaders.INSTANCE;
        this.body = new byte[0];
        this.closeAfter = true;
    }

    private static boolean isPlainPath(String uri) {
        if (uri.isEmpty() || uri.charAt(0) != '/') {
            return false;
        }
        for (int i = 0; i < uri.length(); i++) {
            char c = uri.charAt(i);
            if (c == '?' || c == '#' || c == '%' || c == '+') {
                return false;
            }
        }
        return true;
    }

    @Override
    public String method() {
        return method;
    }

    @Override
    public String path() {
        return path;
    }

    @Override
    public String rawQuery() {
        return rawQuery;
    }

    @Override
    public String header(String name) {
        return headers.get(name);
    }

    @Override
    public Iterable<Map.Entry<String, String>> headerEntries() {
        return headers;
    }

    HttpHeaders headers() {
        return headers;
    }

    @Override
    public byte[] body() {
        return body;
    }

    /** @return whether the connection closes after this reply (the client asked, or the request was broken) */
    boolean closeAfter() {
        return closeAfter;
    }

    /** Makes the connection close after this reply; only on the event loop, before the reply. */
    void closeAfterReply() {
        closeAfter = true;
    }

    /** @return the reply, or null while there is none */
    FullHttpResponse response() {
        return response;
    }

    @Override
    public void reply(int status, Map<String, String> extraHeaders, byte[] json) {
        if (REPLIED.compareAndSet(this, 0, 1)) {
            response = status == 200 && extraHeaders.isEmpty() && !closeAfter && !"CONNECT".equals(method)
                    ? plainOk(json)
                    : response(status, extraHeaders, json, !closeAfter);
            connection.replied();
        }
    }

    @Override
    public boolean replied() {
        return replied != 0;
    }

    /**
     * The reply to nearly every event: a keep-alive 200 with no extra headers. Its headers are a
     * fixed read-only list instead of two hash tables (headers and trailers) built per reply; the
     * encoder only reads them (it edits a response's headers only for 1xx, 204, 205 and a 2xx to
     * CONNECT, which this never is).
     */
    static FullHttpResponse plainOk(byte[] bytes) {
        HttpHeaders headers = new ReadOnlyHttpHeaders(
                false,
                HttpHeaderNames.CONTENT_TYPE,
                HttpHeaderValues.APPLICATION_JSON,
                HttpHeaderNames.CONTENT_LENGTH,
                contentLength(bytes.length),
                HttpHeaderNames.CONNECTION,
                HttpHeaderValues.KEEP_ALIVE);
        return new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1,
                HttpResponseStatus.OK,
                Unpooled.wrappedBuffer(bytes),
                headers,
                EmptyHttpHeaders.INSTANCE);
    }

    private static CharSequence contentLength(int length) {
        if (length >= CONTENT_LENGTHS.length) {
            return AsciiString.of(Integer.toString(length));
        }
        AsciiString cached = CONTENT_LENGTHS[length];
        if (cached == null) { // a race only computes the same immutable value twice
            cached = AsciiString.cached(Integer.toString(length));
            CONTENT_LENGTHS[length] = cached;
        }
        return cached;
    }

    static FullHttpResponse response(int status, Map<String, String> extraHeaders, byte[] bytes, boolean keepAlive) {
        FullHttpResponse response = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status), Unpooled.wrappedBuffer(bytes));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
        extraHeaders.forEach(response.headers()::set);
        response.headers()
                .set(HttpHeaderNames.CONNECTION, keepAlive ? HttpHeaderValues.KEEP_ALIVE : HttpHeaderValues.CLOSE);
        return response;
    }
}
