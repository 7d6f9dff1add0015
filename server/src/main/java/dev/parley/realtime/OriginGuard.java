package dev.parley.realtime;

import java.util.Set;

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
import io.netty.util.ReferenceCountUtil;

/**
 * CORS for the Socket.IO listener. netty-socketio can only answer with one fixed origin (and by
 * default echoes any): this handler refuses requests from origins not in the allowed list and
 * rewrites the {@code Access-Control-Allow-Origin} of responses to the caller's (allowed) origin.
 * Requests without an Origin header (non-browser clients) pass. One instance per channel.
 */
class OriginGuard extends ChannelDuplexHandler {
    private final Set<String> allowed;
    private String origin;

    OriginGuard(Set<String> allowed) {
        this.allowed = allowed;
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
        }
        super.channelRead(ctx, msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
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
