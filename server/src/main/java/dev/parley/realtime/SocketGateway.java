package dev.parley.realtime;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import com.corundumstudio.socketio.AckMode;
import com.corundumstudio.socketio.AckRequest;
import com.corundumstudio.socketio.AuthTokenResult;
import com.corundumstudio.socketio.Configuration;
import com.corundumstudio.socketio.SocketConfig;
import com.corundumstudio.socketio.SocketIOChannelInitializer;
import com.corundumstudio.socketio.SocketIOClient;
import com.corundumstudio.socketio.SocketIOServer;
import com.corundumstudio.socketio.listener.ExceptionListenerAdapter;
import com.corundumstudio.socketio.protocol.Packet;
import com.corundumstudio.socketio.protocol.PacketType;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.epoll.Epoll;
import io.netty.handler.flush.FlushConsolidationHandler;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

import dev.parley.auth.AccessTokenService;
import dev.parley.messaging.MessagingService;
import dev.parley.platform.ApiException;
import dev.parley.platform.ApiResponse;
import dev.parley.platform.Outages;
import dev.parley.platform.ParleyProperties;
import dev.parley.session.SessionStore;

/**
 * The Socket.IO listener (netty-socketio, its own port), started and stopped with Spring.
 *
 * <p>Threading: netty-socketio calls listeners on Netty event loops, which must never block.
 * Every handler that touches Redis or SQL hands its work to a virtual thread; timers (anonymous
 * socket drop, token expiry, delayed disconnect) run on one small scheduler and only do
 * non-blocking socket calls.
 *
 * <p>Authentication happens on {@code user:connect}, with the token from (first match) the event's
 * own payload, the 4.x {@code auth} payload, or the {@code authorization} query parameter. Until
 * then a socket is anonymous: it receives nothing, every handler refuses it, and it is dropped
 * after {@code parley.realtime.auth-timeout}.
 */
@Component
class SocketGateway implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(SocketGateway.class);
    private static final String AUTH_ATTR = "auth";
    private static final String GONE_ATTR = "gone";
    static final String CONNECT = "user:connect";

    private final ParleyProperties parley;
    private final RealtimeProperties props;
    private final AccessTokenService tokens;
    private final SessionStore sessions;
    private final MessagingService messaging;
    private final NodeAwareRateLimit limits;
    private final LocalSockets local;
    private final ClusterBus bus;
    private final PresenceTracker presence;
    private final SocketJson json;
    private final ExecutorService work = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("socket-work-", 0).factory());
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("socket-timers").daemon().factory());

    private volatile SocketIOServer server;
    private volatile boolean running;
    private volatile boolean crashed;

    SocketGateway(ParleyProperties parley, RealtimeProperties props, AccessTokenService tokens, SessionStore sessions,
                  MessagingService messaging, NodeAwareRateLimit limits, LocalSockets local, ClusterBus bus,
                  PresenceTracker presence, SocketJson json) {
        this.parley = parley;
        this.props = props;
        this.tokens = tokens;
        this.sessions = sessions;
        this.messaging = messaging;
        this.limits = limits;
        this.local = local;
        this.bus = bus;
        this.presence = presence;
        this.json = json;
        bus.onRevocation(this::revokeLocal);
    }

    // ---- lifecycle ----

    @Override
    public void start() {
        bus.start();
        var config = new Configuration();
        config.setHostname(parley.socket().host());
        config.setPort(parley.socket().port());
        config.setContext("/socket.io");
        config.setMaxFramePayloadLength(props.maxPayloadBytes());
        config.setMaxHttpContentLength(props.maxPayloadBytes());
        config.setEnableCors(true);
        config.setOrigin(parley.allowedOrigins().getFirst());
        config.setAllowHeaders("authorization, content-type");
        config.setPingInterval(25_000);
        config.setPingTimeout(20_000);
        config.setExceptionListener(new QuietExceptions());
        config.setAckMode(AckMode.MANUAL); // acks are sent by the virtual thread that did the work
        // Frames are small JSON: per-message deflate saved little and cost every socket that accepted
        // it (browsers all offer it) two zlib contexts, 43-109 KiB of native memory measured, plus CPU per frame.
        config.setWebsocketCompression(false);
        config.setHttpCompression(false);
        // Native epoll: fewer objects per connection and no JDK selector wake-ups; NIO elsewhere.
        config.setUseLinuxNativeEpoll(Epoll.isAvailable());
        config.setBossThreads(1); // one listening socket: more acceptor threads would only sit idle
        config.setWorkerThreads(props.ioThreads() > 0 ? props.ioThreads() : Runtime.getRuntime().availableProcessors());
        config.setRandomSession(true); // never let a client pick its engine session id (io cookie/header)
        var socket = new SocketConfig();
        socket.setReuseAddress(true);
        socket.setTcpNoDelay(true);
        config.setSocketConfig(socket);

        var s = new SocketIOServer(config);
        var allowed = new HashSet<>(parley.allowedOrigins());
        s.setPipelineFactory(new SocketIOChannelInitializer() {
            @Override
            protected void initChannel(Channel ch) throws Exception {
                super.initChannel(ch);
                ch.pipeline().addAfter(HTTP_ENCODER, "origin-guard", new OriginGuard(allowed, SocketGateway.this::pumpNoopsDuringUpgrade));
                // netty-socketio flushes every frame; frames for one socket that are written in the same
                // event-loop turn (an ack and the message echo, a batch's messages) leave in one syscall
                ch.pipeline().addFirst("flush-consolidation", new FlushConsolidationHandler(64, true));
            }
        });
        s.getNamespace("").addAuthTokenListener((authData, client) -> {
            if (authData != null) client.set(AUTH_ATTR, authData);
            return AuthTokenResult.AuthTokenResultSuccess; // checked on user:connect, like 2.x clients
        });
        s.addConnectListener(client -> timers.schedule(() -> {
            if (local.get(client.getSessionId()) == null) {
                log.debug("Dropping anonymous socket {}", client.getSessionId());
                client.disconnect();
            }
        }, props.authTimeout().toMillis(), TimeUnit.MILLISECONDS));
        s.addDisconnectListener(this::onDisconnect);
        s.addEventListener(CONNECT, Object.class, (client, data, ack) -> work.execute(() -> authenticate(client, data)));
        s.addEventListener("message:send", Object.class, this::onSend);
        s.addEventListener("user:typing", Object.class, this::onTyping);
        s.start();
        server = s;
        running = true;
        timers.scheduleWithFixedDelay(() -> work.execute(this::tick), props.heartbeatInterval().toMillis(),
                props.heartbeatInterval().toMillis(), TimeUnit.MILLISECONDS);
        log.info("Socket.IO listening on {}:{} (node {})", config.getHostname(), config.getPort(), bus.nodeId());
    }

    @Override
    public void stop() {
        running = false;
        if (!crashed) {
            try {
                presence.leaveAll();
            } catch (RuntimeException e) {
                log.warn("Presence cleanup on stop failed", e);
            }
        }
        timers.shutdownNow();
        if (server != null) server.stop();
        bus.stop(!crashed);
        work.shutdown();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return Integer.MAX_VALUE - 4096; // after Redis/JDBC are up, before the web server stops
    }

    /** Test hook: stop like a killed process — no goodbye, no presence cleanup, heartbeats just end. */
    void crash() {
        crashed = true;
        running = false;
        timers.shutdownNow(); // heartbeats end now; closing the listener (slow, graceful Netty shutdown) follows
        Thread.ofPlatform().start(() -> {
            if (server != null) server.stop();
            bus.stop(false);
            work.shutdown();
        });
    }

    private final java.util.concurrent.atomic.AtomicBoolean ticking = new java.util.concurrent.atomic.AtomicBoolean();

    private void tick() {
        if (!running) return;
        if (!ticking.compareAndSet(false, true)) return; // the last one still waits for Redis: never pile up
        try {
            var beat = bus.heartbeat();
            presence.refreshTtl();
            limits.prune();
            if (beat.reRegistered()) presence.reRegisterAll();
            for (String dead : beat.claimedDead()) presence.reap(dead);
        } catch (RuntimeException e) {
            log.warn("Heartbeat failed: {}", e.toString());
        } finally {
            ticking.set(false);
        }
    }

    // ---- authentication ----

    private void authenticate(SocketIOClient client, Object data) {
        log.debug("user:connect from {} ({}, {})", client.getSessionId(), client.getEngineIOVersion(), client.getTransport());
        try {
            String token = AccessTokenService.stripBearer(tokenOf(client, data));
            var claims = tokens.verify(token).filter(c -> sessions.isActive(c.sessionId(), c.userId()));
            if (claims.isEmpty()) {
                rejectAndDrop(client);
                return;
            }
            var c = claims.get();
            var existing = local.get(client.getSessionId());
            if (existing != null && (existing.userId() != c.userId() || !existing.sessionId().equals(c.sessionId()))) {
                rejectAndDrop(client); // one socket, one identity
                return;
            }
            var conn = new LocalSockets.Conn(client, c.userId(), c.sessionId(), new SerialLane(work));
            local.add(conn);
            if (client.get(GONE_ATTR) != null) { // disconnected while we were checking
                local.remove(client.getSessionId());
                presence.reconcile(c.userId(), c.sessionId());
                return;
            }
            if (!sessions.isActive(c.sessionId(), c.userId())) {
                // revoked between the check and add(): the revocation found no socket to drop
                local.remove(client.getSessionId());
                rejectAndDrop(client);
                return;
            }
            presence.reconcile(c.userId(), c.sessionId());
            client.sendEvent("user:connect_success");
            long delay = Math.max(0, Duration.between(Instant.now(), c.expiresAt()).toMillis());
            timers.schedule(() -> {
                if (local.get(client.getSessionId()) == conn) rejectAndDrop(client);
            }, delay, TimeUnit.MILLISECONDS);
        } catch (RuntimeException e) {
            if (Outages.isOutage(e)) {
                // Redis (sessions) is down: the token may well be fine. Not user:invalid_token (that
                // makes clients refresh and, with the refresh failing too, sign out): just drop the
                // socket, the client reconnects with backoff and authenticates once Redis is back.
                log.warn("Socket authentication impossible, dependency unavailable: {}", e.toString());
                var removed = local.remove(client.getSessionId());
                if (removed != null) work.execute(() -> presence.reconcile(removed.userId(), removed.sessionId()));
                client.disconnect();
                return;
            }
            log.warn("Socket authentication failed", e);
            rejectAndDrop(client);
        }
    }

    private static String tokenOf(SocketIOClient client, Object data) {
        String fromEvent = tokenField(data);
        if (fromEvent != null) return fromEvent;
        String fromAuth = tokenField(client.get(AUTH_ATTR));
        if (fromAuth != null) return fromAuth;
        Object handshakeAuth = client.getHandshakeData().getAuthToken();
        String fromHandshake = tokenField(handshakeAuth);
        if (fromHandshake != null) return fromHandshake;
        return client.getHandshakeData().getSingleUrlParam("authorization");
    }

    private static String tokenField(Object data) {
        if (data instanceof String s && !s.isBlank()) return s;
        if (data instanceof Map<?, ?> m) {
            for (String k : new String[] {"token", "authorization", "accessToken"}) {
                if (m.get(k) instanceof String s && !s.isBlank()) return s;
            }
        }
        return null;
    }

    /** {@code user:invalid_token}, then disconnect once the event had time to leave. */
    private void rejectAndDrop(SocketIOClient client) {
        log.debug("Rejecting socket {}", client.getSessionId());
        var removed = local.remove(client.getSessionId());
        if (removed != null) work.execute(() -> presence.reconcile(removed.userId(), removed.sessionId()));
        client.sendEvent("user:invalid_token");
        timers.schedule(client::disconnect, 150, TimeUnit.MILLISECONDS);
    }

    void revokeLocal(List<String> sessionIds) {
        for (var c : local.ofSessions(sessionIds)) rejectAndDrop(c.client());
    }

    /**
     * While a polling client upgrades, it pauses polling and waits for its pending poll to return.
     * netty-socketio answers the probe with a single NOOP on polling, which can reach the client
     * before it starts pausing; the client then re-polls and the upgrade (and every emit buffered
     * meanwhile, such as user:connect) hangs until the next ping, 25 s later. Like the reference
     * engine.io server, keep sending NOOPs on polling every 100 ms until the upgrade completed.
     */
    void pumpNoopsDuringUpgrade(String engineSid) {
        SocketIOServer s = server;
        UUID id;
        try {
            id = UUID.fromString(engineSid);
        } catch (IllegalArgumentException e) {
            return;
        }
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        var task = new java.util.concurrent.atomic.AtomicReference<java.util.concurrent.ScheduledFuture<?>>();
        task.set(timers.scheduleWithFixedDelay(() -> {
            SocketIOClient client = s == null ? null : s.getClient(id);
            if (client == null || client.getTransport() != com.corundumstudio.socketio.Transport.POLLING
                    || System.nanoTime() > until || !running) {
                var f = task.get();
                if (f != null) f.cancel(false);
                return;
            }
            client.send(new Packet(PacketType.NOOP, client.getEngineIOVersion()));
        }, 50, 100, TimeUnit.MILLISECONDS));
    }

    private void onDisconnect(SocketIOClient client) {
        client.set(GONE_ATTR, Boolean.TRUE);
        var removed = local.remove(client.getSessionId());
        if (removed != null && !crashed) work.execute(() -> presence.reconcile(removed.userId(), removed.sessionId()));
    }

    // ---- client events ----

    private void onSend(SocketIOClient client, Object data, AckRequest ack) {
        var conn = local.get(client.getSessionId());
        if (conn == null) {
            ack(ack, ApiResponse.error(HttpStatus.UNAUTHORIZED, "Send user:connect with a valid token first"));
            return;
        }
        if (!(data instanceof Map<?, ?> m)) {
            ack(ack, ApiResponse.error(HttpStatus.BAD_REQUEST, "Payload must be {receiverID, message, clientMessageID?}"));
            return;
        }
        conn.sends().execute(() -> {
            try {
                long receiver = idOf(m.get("receiverID"), "receiverID");
                Object cmid = m.get("clientMessageID");
                if (cmid != null && !(cmid instanceof String)) throw ApiException.badRequest("clientMessageID must be a UUID");
                Object text = m.get("message");
                if (text != null && !(text instanceof String)) throw ApiException.badRequest("message must be a string");
                var result = messaging.send(conn.userId(), receiver, (String) text, (String) cmid);
                if (ack.isAckRequested()) ack.sendAckData(SocketJson.raw(SocketJson.okEnvelope(json.encode(result.message()))));
            } catch (ApiException e) {
                ack(ack, new ApiResponse<>(e.status().value(), e.getMessage(), null, e.status().getReasonPhrase()));
            } catch (RuntimeException e) {
                ack(ack, failure("message:send", e));
            }
        });
    }

    record Typing(long userID) {}

    private void onTyping(SocketIOClient client, Object data, AckRequest ack) {
        var conn = local.get(client.getSessionId());
        if (conn == null) {
            ack(ack, ApiResponse.error(HttpStatus.UNAUTHORIZED, "Send user:connect with a valid token first"));
            return;
        }
        work.execute(() -> {
            try {
                long receiver = idOf(data instanceof Map<?, ?> m ? m.get("receiverID") : data, "receiverID");
                var wait = limits.tryHit("typing-user", conn.userId());
                if (wait != null) {
                    ack(ack, ApiResponse.error(HttpStatus.TOO_MANY_REQUESTS, "Too many requests, try again later"));
                    return;
                }
                bus.deliver(List.of(receiver), "user:typing", json.encode(new Typing(conn.userId())));
                ack(ack, ApiResponse.ok());
            } catch (ApiException e) {
                ack(ack, new ApiResponse<>(e.status().value(), e.getMessage(), null, e.status().getReasonPhrase()));
            } catch (RuntimeException e) {
                ack(ack, failure("user:typing", e));
            }
        });
    }

    /** An ack for an unexpected failure: 503 (retry) when a dependency is down, else 500. */
    private static ApiResponse<?> failure(String event, RuntimeException e) {
        ApiException outage = Outages.asUnavailable(e);
        if (outage != null) {
            log.warn("{} failed, dependency unavailable: {}", event, e.toString());
            return new ApiResponse<>(outage.status().value(), outage.getMessage(), null, outage.status().getReasonPhrase());
        }
        log.error("{} failed", event, e);
        return ApiResponse.error(HttpStatus.INTERNAL_SERVER_ERROR, "Internal server error");
    }

    private static long idOf(Object v, String field) {
        if (v instanceof Integer || v instanceof Long) {
            long id = ((Number) v).longValue();
            if (id > 0) return id;
        } else if (v instanceof String s) {
            return dev.parley.platform.Validate.id(s, field);
        }
        throw ApiException.badRequest(field + " must be a positive integer");
    }

    private void ack(AckRequest ack, ApiResponse<?> response) {
        if (ack.isAckRequested()) ack.sendAckData(SocketJson.raw(json.encode(response)));
    }

    int socketCount() {
        return local.size();
    }

    /** Bad payloads and dropped connections are the clients' business: log quietly, keep the node healthy. */
    private static final class QuietExceptions extends ExceptionListenerAdapter {
        @Override
        public void onEventException(Exception e, List<Object> args, SocketIOClient client) {
            log.debug("Socket event failed for {}", client.getSessionId(), e);
        }

        @Override
        public void onAuthException(Throwable e, SocketIOClient client) {
            log.debug("Socket auth listener failed", e);
        }

        @Override
        public boolean exceptionCaught(ChannelHandlerContext ctx, Throwable e) {
            log.debug("Socket channel error", e);
            ctx.close();
            return true;
        }
    }
}
