package dev.parley.realtime;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Consumer;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCountUtil;

/**
 * CORS for the Socket.IO listener. netty-socketio can only answer with one fixed origin (and by
 * default echoes any): this handler refuses requests from origins not in the allowed list and
 * rewrites the {@code Access-Control-Allow-Origin} of responses to the caller's (allowed) origin.
 * Requests without an Origin header (non-browser clients) pass. One instance per channel.
 * It also reports websocket upgrades of polling sessions (see {@code SocketGateway#pumpNoopsDuringUpgrade}).
 */
class OriginGuard extends ChannelDuplexHandler {
    private final Set<String> allowed;
    private final Consumer<String> upgradeProbe;
    private String origin;

    /** {@code upgradeProbe} gets the Engine.IO sid of a polling client that opens its websocket upgrade. */
    OriginGuard(Set<String> allowed, Consumer<String> upgradeProbe) {
        this.allowed = allowed;
        this.upgradeProbe = upgradeProbe;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (msg instanceof HttpRequest req) {
            String o = req.headers().get(HttpHeaderNames.ORIGIN);
            if (o != null && !allowed.contains(o)) {
                ReferenceCountUtil.release(msg);
                var res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.FORBIDDEN, Unpooled.EMPTY_BUFFER);
                res.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0);
                ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
                return;
            }
            origin = o;
            dropUnusedHeaders(req);
            String uri = req.uri();
            if (uri.contains("transport=websocket") && uri.contains("sid=")) {
                var sid = new QueryStringDecoder(uri).parameters().get("sid");
                if (sid != null && !sid.isEmpty()) upgradeProbe.accept(sid.getFirst());
            }
        }
        super.channelRead(ctx, msg);
    }

    /**
     * netty-socketio keeps the handshake request's headers for the socket's whole life. Browsers send
     * a dozen (user agent, cookies, accept-*, sec-fetch-*): hundreds of bytes to kilobytes per socket
     * that nothing here reads. Keep only what the transports and a proxy setup need.
     */
    private static void dropUnusedHeaders(HttpRequest req) {
        var headers = req.headers();
        List<String> unused = null;
        for (String name : headers.names()) {
            if (!KEPT_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
                if (unused == null) unused = new ArrayList<>();
                unused.add(name);
            }
        }
        if (unused != null) unused.forEach(headers::remove);
    }

    private static final Set<String> KEPT_HEADERS = Set.of("host", "connection", "upgrade", "origin",
            "sec-websocket-key", "sec-websocket-version", "sec-websocket-protocol",
            "content-type", "content-length", "transfer-encoding", "x-forwarded-for", "x-forwarded-proto", "forwarded");

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (msg instanceof HttpResponse res && res.status().code() == HttpResponseStatus.SWITCHING_PROTOCOLS.code()) {
            // the channel speaks websocket from now on: no more HTTP requests or responses to guard
            super.write(ctx, msg, promise);
            ctx.pipeline().remove(this);
            return;
        }
        if (msg instanceof HttpResponse res && res.headers().contains(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN)) {
            if (origin == null) {
                res.headers().remove(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN);
                res.headers().remove(HttpHeaderNames.ACCESS_CONTROL_ALLOW_CREDENTIALS);
            } else {
                res.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, origin);
                res.headers().set(HttpHeaderNames.VARY, HttpHeaderNames.ORIGIN);
            }
        }
        super.write(ctx, msg, promise);
    }
}
