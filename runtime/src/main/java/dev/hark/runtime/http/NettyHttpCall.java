package dev.hark.runtime.http;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/** An {@link HttpCall} over a Netty channel; the request's body is copied out at once. */
final class NettyHttpCall implements HttpCall {

    private final ChannelHandlerContext context;
    private final String method;
    private final String path;
    private final String rawQuery;
    private final io.netty.handler.codec.http.HttpHeaders headers;
    private final byte[] body;
    private final boolean keepAlive;
    private final AtomicBoolean replied = new AtomicBoolean();

    NettyHttpCall(ChannelHandlerContext context, FullHttpRequest request) {
        this.context = context;
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
        this.keepAlive = HttpUtil.isKeepAlive(request);
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
    public byte[] body() {
        return body;
    }

    @Override
    public void reply(int status, Map<String, String> extraHeaders, byte[] json) {
        if (replied.compareAndSet(false, true)) {
            write(context, status, extraHeaders, json, keepAlive);
        }
    }

    @Override
    public boolean replied() {
        return replied.get();
    }

    static void write(ChannelHandlerContext context, int status, Map<String, String> extraHeaders, byte[] bytes,
            boolean keepAlive) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(status), Unpooled.wrappedBuffer(bytes));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
        extraHeaders.forEach(response.headers()::set);
        if (keepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            context.writeAndFlush(response, context.voidPromise());
        } else {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            context.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
