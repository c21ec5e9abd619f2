package dev.hark.runtime.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One HTTP/1.1 connection: its replies in the order of its requests, its timeouts and its
 * back-pressure. Three handlers share this state, all on the connection's event loop:
 * {@link #reads()} first in the pipeline (raw bytes: when a request starts), {@link #bodyLimit}
 * after the codec, and {@link #requests()} last (whole requests, handed to the {@link Router}).
 *
 * <p>Replies may be settled on any thread and in any order (an event's once its checkpoint is
 * durable, an admin request's on an admin thread); each is written only when every earlier request
 * of the connection has been answered, so a pipelining client reads them in request order.
 *
 * <p>Timeouts need no timer per request: one check per connection, rescheduled for the nearest
 * deadline (at most one read timeout ahead), compares two timestamps taken on the event loop.
 */
final class HttpConnection {

    private static final Logger LOG = LoggerFactory.getLogger(HttpConnection.class);

    /** Requests read but not answered, per connection, before the connection stops reading more. */
    static final int MAX_PENDING_REQUESTS = 32;

    private final HttpApiServer.Router router;
    private final HostRules hosts;
    private final long idleNanos;
    private final long readNanos;
    private final ArrayDeque<NettyHttpCall> pending = new ArrayDeque<>();
    /** Whole requests read while {@link #MAX_PENDING_REQUESTS} awaited their replies (at most one read's worth). */
    private final ArrayDeque<FullHttpRequest> deferred = new ArrayDeque<>(0);

    private final Runnable drain = this::drain;
    private final Runnable check = this::check;
    private final Reads reads = new Reads();
    private final Requests requests = new Requests();

    private ChannelHandlerContext context; // the last handler's, so that replies pass the encoder
    /** Bytes of a request have arrived and the whole request has not yet. */
    private boolean reading;

    private long readStartedNanos;
    /** When the connection last finished something: opened, or wrote a reply. */
    private long lastActivityNanos;
    /** A reply that closes the connection is queued: nothing more is read or answered. */
    private boolean closing;

    private boolean pausedForReplies;
    private boolean pausedForWrites;
    private boolean draining;
    private ScheduledFuture<?> timer;
    private boolean drainAgain;

    HttpConnection(HttpSettings settings, HttpApiServer.Router router, HostRules hosts) {
        this.router = router;
        this.hosts = hosts;
        this.idleNanos = settings.idleTimeout().toNanos();
        this.readNanos = settings.requestReadTimeout().toNanos();
    }

    ChannelInboundHandlerAdapter reads() {
        return reads;
    }

    SimpleChannelInboundHandler<FullHttpRequest> requests() {
        return requests;
    }

    HttpObjectAggregator bodyLimit(int maxBytes) {
        return new BodyLimit(maxBytes);
    }

    /** Called by a call once its reply is set, from any thread. */
    void replied() {
        ChannelHandlerContext ctx = context;
        if (ctx.executor().inEventLoop()) {
            drain();
        } else {
            try {
                ctx.executor().execute(drain);
            } catch (RejectedExecutionException e) {
                // The server is closing: the connection is gone, and the reply with it.
            }
        }
    }

    /** Writes the replies at the head of the queue that are ready, in order; then reads deferred requests. */
    private void drain() {
        if (draining) { // a request handled below answered at once
            drainAgain = true;
            return;
        }
        draining = true;
        try {
            do {
                drainAgain = false;
                writeReady();
                while (!closing && pending.size() < MAX_PENDING_REQUESTS && !deferred.isEmpty()) {
                    FullHttpRequest request = deferred.poll();
                    try {
                        accept(request);
                    } finally {
                        request.release();
                    }
                }
            } while (drainAgain);
        } finally {
            draining = false;
        }
        if (pausedForReplies && pending.size() < MAX_PENDING_REQUESTS && deferred.isEmpty()) {
            pausedForReplies = false;
            updateAutoRead(context);
        }
    }

    private void writeReady() {
        ChannelHandlerContext ctx = context;
        boolean wrote = false;
        for (NettyHttpCall head = pending.peek(); head != null; head = pending.peek()) {
            FullHttpResponse response = head.response();
            if (response == null) {
                break;
            }
            pending.poll();
            router.metrics().httpReply(response.status().code());
            if (!ctx.channel().isActive()) {
                response.release();
                continue;
            }
            if (head.closeAfter()) {
                closing = true;
                releaseAll();
                ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
                return;
            }
            ctx.write(response, ctx.voidPromise());
            wrote = true;
        }
        if (wrote) {
            lastActivityNanos = System.nanoTime();
            ctx.flush();
        }
    }

    private void releaseAll() {
        for (NettyHttpCall call : pending) {
            FullHttpResponse response = call.response();
            if (response != null) {
                response.release();
            }
        }
        pending.clear();
        for (FullHttpRequest request : deferred) {
            request.release();
        }
        deferred.clear();
    }

    private void updateAutoRead(ChannelHandlerContext ctx) {
        boolean read = !closing && !pausedForReplies && !pausedForWrites;
        if (ctx.channel().config().isAutoRead() != read) {
            ctx.channel().config().setAutoRead(read);
            if (read && reading) {
                readStartedNanos = System.nanoTime(); // the pause was ours, not the client's
            }
        }
    }

    /** Answers with a fresh reply after every queued one, and closes the connection after it. */
    private void closeWith(int status, String code, String message) {
        reading = false;
        NettyHttpCall call = new NettyHttpCall(this);
        enqueue(call);
        call.reply(status, HttpExchanges.error(code, message, null));
    }

    private void enqueue(NettyHttpCall call) {
        pending.add(call);
        if (call.closeAfter()) {
            closing = true;
            updateAutoRead(context);
        } else if (pending.size() >= MAX_PENDING_REQUESTS && !pausedForReplies) {
            pausedForReplies = true;
            updateAutoRead(context);
        }
    }

    private void schedule(long delayNanos) {
        timer = context.executor()
                .schedule(check, Math.max(delayNanos, TimeUnit.MILLISECONDS.toNanos(1)), TimeUnit.NANOSECONDS);
    }

    /** The connection's one timer: a stalled request gets 408, an idle connection is closed. */
    private void check() {
        ChannelHandlerContext ctx = context;
        if (!ctx.channel().isOpen()) {
            return;
        }
        long now = System.nanoTime();
        long next = readNanos;
        if (closing) {
            next = idleNanos; // a closing reply is pending; the reply timeout bounds it
        } else if (reading && !pausedForReplies && !pausedForWrites) {
            long late = now - (readStartedNanos + readNanos);
            if (late >= 0) {
                LOG.debug(
                        "HTTP request on {} not received within {} ms; answering 408 and closing",
                        ctx.channel().remoteAddress(),
                        TimeUnit.NANOSECONDS.toMillis(readNanos));
                closeWith(
                        408,
                        "request_timeout",
                        "the request did not arrive whole within " + TimeUnit.NANOSECONDS.toMillis(readNanos) + " ms");
                next = idleNanos;
            } else {
                next = -late;
            }
        } else if (!reading && pending.isEmpty()) {
            long late = now - (lastActivityNanos + idleNanos);
            if (late >= 0) {
                LOG.debug(
                        "HTTP connection {} idle for {} ms; closing it",
                        ctx.channel().remoteAddress(),
                        TimeUnit.NANOSECONDS.toMillis(idleNanos));
                ctx.close();
                return;
            }
            next = -late;
        }
        schedule(Math.min(next, readNanos));
    }

    /** First in the pipeline: sees each read's raw bytes, so a request's clock starts with its first byte. */
    private final class Reads extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object message) {
            if (closing) {
                if (message instanceof ByteBuf bytes) {
                    bytes.release();
                }
                return;
            }
            if (!reading) {
                reading = true;
                readStartedNanos = System.nanoTime();
            }
            ctx.fireChannelRead(message);
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            pausedForWrites = !ctx.channel().isWritable();
            if (context != null) {
                updateAutoRead(context);
            }
            ctx.fireChannelWritabilityChanged();
        }
    }

    /** Last in the pipeline: whole requests (or the decoder's failures), each queued for its reply, then routed. */
    private final class Requests extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            context = ctx;
            lastActivityNanos = System.nanoTime();
            schedule(Math.min(readNanos, idleNanos));
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            if (closing) {
                return;
            }
            reading = false;
            if (pending.size() >= MAX_PENDING_REQUESTS || !deferred.isEmpty()) {
                // Reading stopped, but the decoder still hands on what the last read brought.
                deferred.add(request.retain());
                return;
            }
            accept(request);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.debug("HTTP connection failed; closing it", cause);
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (timer != null) {
                timer.cancel(false); // else it would linger in the loop's queue up to a read timeout
            }
            releaseAll();
            ctx.fireChannelInactive();
        }
    }

    /** Queues a whole request for its reply, in order, and routes it (or refuses it at once). */
    private void accept(FullHttpRequest request) {
        NettyHttpCall call = new NettyHttpCall(this, request);
        DecoderResult result = request.decoderResult();
        if (result.isFailure()) {
            call.closeAfterReply(); // the decoder discards the rest of the connection's bytes
            enqueue(call);
            decoderFailure(call, result.cause());
            return;
        }
        enqueue(call);
        String refusal = hosts.refusal(call.headers());
        if (refusal != null) {
            call.reply(
                    refusal == HostRules.HOST ? 421 : 403,
                    HttpExchanges.error(refusal, hosts.message(refusal, call.headers()), null));
            return;
        }
        router.route(call);
    }

    private static void decoderFailure(NettyHttpCall call, Throwable cause) {
        if (cause instanceof TooLongHttpLineException) {
            call.reply(414, HttpExchanges.error("uri_too_long", "the request line is longer than the limit", null));
        } else if (cause instanceof TooLongHttpHeaderException) {
            call.reply(
                    431,
                    HttpExchanges.error("headers_too_large", "the request's headers are larger than the limit", null));
        } else {
            call.reply(
                    400,
                    HttpExchanges.error(
                            "bad_request", "the request is not valid HTTP/1.1: " + cause.getMessage(), null));
        }
    }

    /** Aggregates a request's body up to the limit; answers a JSON 413 beyond it, in its turn. */
    private final class BodyLimit extends HttpObjectAggregator {
        private final int maxBytes;

        BodyLimit(int maxBytes) {
            super(maxBytes);
            this.maxBytes = maxBytes;
        }

        @Override
        protected Object newContinueResponse(HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
            // A 100 Continue written now would overtake the replies of earlier requests.
            return pending.isEmpty() ? super.newContinueResponse(start, maxContentLength, pipeline) : null;
        }

        @Override
        protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
            if (HttpUtil.is100ContinueExpected(oversized)) {
                oversized.headers().remove(HttpHeaderNames.EXPECT);
            }
            if (closing) {
                return;
            }
            // The rest of an oversized body is not read, so the connection cannot be reused.
            closeWith(413, "body_too_large", "the body is larger than the limit of " + maxBytes + " bytes");
        }
    }
}
