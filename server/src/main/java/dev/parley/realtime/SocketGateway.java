package dev.parley.realtime;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import com.corundumstudio.socketio.AckMode;
import com.corundumstudio.socketio.AckRequest;
import com.corundumstudio.socketio.AuthTokenResult;
import com.corundumstudio.socketio.Configuration;
import com.corundumstudio.socketio.SocketConfig;
import com.corundumstudio.socketio.SocketIOChannelInitializer;
import com.corundumstudio.socketio.SocketIOClient;
import com.corundumstudio.socketio.SocketIOServer;
import com.corundumstudio.socketio.Transport;
import com.corundumstudio.socketio.listener.ExceptionListenerAdapter;
import com.corundumstudio.socketio.protocol.Packet;
import com.corundumstudio.socketio.protocol.PacketType;
import com.corundumstudio.socketio.transport.NamespaceClient;

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
import dev.parley.messaging.DialogView;
import dev.parley.messaging.MessagingService;
import dev.parley.platform.ApiException;
import dev.parley.platform.ApiResponse;
import dev.parley.platform.Outages;
import dev.parley.platform.ParleyProperties;
import dev.parley.platform.Validate;
import dev.parley.session.SessionStore;

/**
 * The Socket.IO listener (netty-socketio, its own port), started and stopped with Spring.
 *
 * <p>Threading: netty-socketio calls listeners on Netty event loops, which must never block.
 * Every handler that touches Redis or SQL hands its work to a virtual thread; timers (anonymous
 * socket drop, session-end sweep, delayed disconnect, upgrade pumps) run on one small scheduler
 * and only do non-blocking socket calls; the cluster heartbeat has a thread of its own, so nothing
 * queued elsewhere can delay it.
 *
 * <p>Admission: every event a socket sends passes its {@link SocketBudget} on the event loop
 * (token bucket, bound on pending work) and cheap validation before anything is queued or Redis
 * is called; a refused event is acked 429 at once, a socket that keeps going is disconnected.
 *
 * <p>Authentication happens on {@code user:connect}, with the token from (first match) the event's
 * own payload, the 4.x {@code auth} payload, or the {@code authorization} query parameter. Until
 * then a socket is anonymous: it receives nothing, every handler refuses it, and it is dropped
 * after {@code parley.realtime.auth-timeout}. An authenticated socket then lives as long as its
 * session (not its access token, which is checked only here): revocations drop it at once on
 * every node, expiry within a second ({@link SessionLifetimes}).
 */
@Component
class SocketGateway implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(SocketGateway.class);
    private static final String AUTH_ATTR = "auth";
    private static final String GONE_ATTR = "gone";
    private static final String BUDGET_ATTR = "budget";
    /** 0: no upgrade seen; > 0: upgrade asked (nanoTime) before authentication; -1: pump claimed. */
    private static final String PUMP_ATTR = "pump";
    private static final long PUMP_NANOS = TimeUnit.SECONDS.toNanos(5);
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
    private final ScheduledExecutorService heartbeats = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("cluster-heartbeat").daemon().factory());
    private final SessionLifetimes lifetimes = new SessionLifetimes();
    private final AtomicLong pumpsStarted = new AtomicLong();
    private final String tooManyJson;

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
        this.tooManyJson = json.encode(ApiResponse.error(HttpStatus.TOO_MANY_REQUESTS, "Too many requests, try again later"));
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
                ch.pipeline().addAfter(HTTP_ENCODER, "origin-guard", new OriginGuard(allowed, SocketGateway.this::onUpgradeRequest));
                // netty-socketio flushes every frame; frames for one socket that are written in the same
                // event-loop turn (an ack and the message echo, a batch's messages) leave in one syscall
                ch.pipeline().addFirst("flush-consolidation", new FlushConsolidationHandler(64, true));
            }
        });
        s.getNamespace("").addAuthTokenListener((authData, client) -> {
            if (authData != null) client.set(AUTH_ATTR, authData);
            return AuthTokenResult.AuthTokenResultSuccess; // checked on user:connect, like 2.x clients
        });
        s.addConnectListener(client -> {
            client.set(BUDGET_ATTR, newBudget());
            client.set(PUMP_ATTR, new AtomicLong());
            timers.schedule(() -> {
                if (local.get(client.getSessionId()) == null) {
                    log.debug("Dropping anonymous socket {}", client.getSessionId());
                    client.disconnect();
                }
            }, props.authTimeout().toMillis(), TimeUnit.MILLISECONDS);
        });
        s.addDisconnectListener(this::onDisconnect);
        s.addEventListener(CONNECT, Object.class, this::onConnectEvent);
        s.addEventListener("message:send", Object.class, this::onSend);
        s.addEventListener("user:typing", Object.class, this::onTyping);
        s.start();
        server = s;
        running = true;
        heartbeats.scheduleWithFixedDelay(this::tick, props.heartbeatInterval().toMillis(),
                props.heartbeatInterval().toMillis(), TimeUnit.MILLISECONDS);
        timers.scheduleWithFixedDelay(this::sweepSessionEnds, 1, 1, TimeUnit.SECONDS);
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
        heartbeats.shutdownNow();
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
        heartbeats.shutdownNow(); // heartbeats end now; closing the listener (slow, graceful Netty shutdown) follows
        timers.shutdownNow();
        Thread.ofPlatform().start(() -> {
            if (server != null) server.stop();
            bus.stop(false);
            work.shutdown();
        });
    }

    private final AtomicBoolean ticking = new AtomicBoolean();

    /** On the heartbeat thread: the beat itself first; the slower consequences go to virtual threads. */
    private void tick() {
        if (!running) return;
        if (!ticking.compareAndSet(false, true)) return; // the last one still waits for Redis: never pile up
        try {
            var beat = bus.heartbeat();
            presence.refreshTtl();
            limits.prune();
            if (beat.reRegistered()) work.execute(presence::reRegisterAll);
            for (String dead : beat.claimedDead()) work.execute(() -> presence.reap(dead));
        } catch (RuntimeException e) {
            log.warn("Heartbeat failed: {}", e.toString());
        } finally {
            ticking.set(false);
        }
    }

    /** Sessions whose end passed are asked about again: gone → their sockets are dropped; slid → wait for the new end. */
    private void sweepSessionEnds() {
        if (!running) return;
        try {
            for (var due : lifetimes.takeDue(System.currentTimeMillis(), local::hasSession)) {
                work.execute(() -> {
                    try {
                        var end = sessions.endsAt(due.sessionId(), due.userId());
                        if (end.isPresent()) lifetimes.track(due.sessionId(), due.userId(), end.get());
                        else revokeLocal(List.of(due.sessionId()));
                    } catch (RuntimeException e) {
                        log.warn("Could not check session {}; asking again in a second", due.sessionId(), e);
                        lifetimes.track(due.sessionId(), due.userId(), java.time.Instant.now());
                    }
                });
            }
        } catch (RuntimeException e) {
            log.warn("Session sweep failed", e);
        }
    }

    // ---- authentication ----

    private void onConnectEvent(SocketIOClient client, Object data, AckRequest ack) {
        var budget = admit(client, ack);
        if (budget == null) return;
        work.execute(() -> {
            try {
                authenticate(client, data);
            } finally {
                budget.done();
            }
        });
    }

    private void authenticate(SocketIOClient client, Object data) {
        log.debug("user:connect from {} ({}, {})", client.getSessionId(), client.getEngineIOVersion(), client.getTransport());
        try {
            String token = AccessTokenService.stripBearer(tokenOf(client, data));
            var claims = tokens.verify(token); // the token's expiry matters here, and only here
            var sessionEnd = claims.flatMap(c -> sessions.endsAt(c.sessionId(), c.userId()));
            if (sessionEnd.isEmpty()) {
                rejectAndDrop(client);
                return;
            }
            var c = claims.get();
            var existing = local.get(client.getSessionId());
            if (existing != null && (existing.userId() != c.userId() || !existing.sessionId().equals(c.sessionId()))) {
                rejectAndDrop(client); // one socket, one identity
                return;
            }
            if (existing != null) {
                // a repeated user:connect on an authenticated socket: confirm, redo nothing (a new lane
                // would reorder its pending sends; presence and contacts were already done)
                client.sendEvent("user:connect_success");
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
            lifetimes.track(c.sessionId(), c.userId(), sessionEnd.get());
            presence.reconcile(c.userId(), c.sessionId());
            client.sendEvent("user:connect_success");
            startDeferredPump(client);
            sendOnlineContacts(client, c.userId());
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

    /**
     * Tells this socket which of the user's contacts are online now. Status changes are only pushed
     * as they happen; a client whose sockets (re)connected in another order than it subscribed
     * could otherwise keep showing a contact offline, e.g. after a server restart.
     */
    private void sendOnlineContacts(SocketIOClient client, long userId) {
        try {
            List<Long> contacts = messaging.contactsOf(userId);
            if (contacts.isEmpty()) return;
            for (Long id : presence.onlineAmong(contacts)) {
                client.sendEvent("user:connection_status",
                        SocketJson.raw(json.encode(new PresenceTracker.Status(id, DialogView.status(true)))));
            }
        } catch (RuntimeException e) {
            log.warn("Could not send contacts' presence to user {}", userId, e);
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

    /**
     * Closes the connection itself. {@code SocketIOClient.disconnect()} only asks the client to go
     * (a namespace DISCONNECT packet): a client that floods would ignore it and keep the server
     * decoding its frames.
     */
    private static void closeConnection(SocketIOClient client) {
        if (client instanceof NamespaceClient nc) nc.getBaseClient().disconnect();
        else client.disconnect();
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
     *
     * <p>Called on the event loop for every websocket request that names a sid. At most one pump
     * per sid, ever; and only for a socket that is authenticated or presented a valid access token
     * (a signature check, no I/O). Anything else costs a lookup and, for a live socket, one recorded
     * timestamp: its pump starts if it authenticates within the pump's 5 s.
     */
    void onUpgradeRequest(String engineSid) {
        SocketIOServer s = server;
        if (s == null || engineSid.length() != 36) return;
        UUID id;
        try {
            id = UUID.fromString(engineSid);
        } catch (IllegalArgumentException e) {
            return;
        }
        SocketIOClient client = s.getClient(id);
        if (client == null || client.getTransport() != Transport.POLLING) return;
        AtomicLong state = client.get(PUMP_ATTR);
        if (state == null || state.get() != 0) return; // pump claimed, or the upgrade is already recorded
        if (local.get(id) != null || presentedValidToken(client)) {
            if (state.compareAndSet(0, -1)) startPump(id);
        } else {
            state.compareAndSet(0, Math.max(1, System.nanoTime()));
        }
    }

    private boolean presentedValidToken(SocketIOClient client) {
        try {
            return tokens.verify(AccessTokenService.stripBearer(tokenOf(client, null))).isPresent();
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** A socket that asked to upgrade before it authenticated gets its pump now, if still in time. */
    private void startDeferredPump(SocketIOClient client) {
        AtomicLong state = client.get(PUMP_ATTR);
        if (state == null) return;
        long asked = state.get();
        if (asked > 0 && System.nanoTime() - asked < PUMP_NANOS && client.getTransport() == Transport.POLLING
                && state.compareAndSet(asked, -1)) {
            startPump(client.getSessionId());
        }
    }

    private void startPump(UUID id) {
        SocketIOServer s = server;
        pumpsStarted.incrementAndGet();
        long until = System.nanoTime() + PUMP_NANOS;
        var task = new AtomicReference<ScheduledFuture<?>>();
        task.set(timers.scheduleWithFixedDelay(() -> {
            SocketIOClient client = s == null ? null : s.getClient(id);
            if (client == null || client.getTransport() != Transport.POLLING || System.nanoTime() > until || !running) {
                var f = task.get();
                if (f != null) f.cancel(false);
                return;
            }
            client.send(new Packet(PacketType.NOOP, client.getEngineIOVersion()));
        }, 50, 100, TimeUnit.MILLISECONDS));
    }

    /** Test hook: runs a task on the thread of the socket timers (to show it cannot hold up heartbeats). */
    void onTimersThread(Runnable task) {
        timers.execute(task);
    }

    /** Upgrade pumps started since this node started (one per upgrading, authenticated socket at most). */
    long pumpsStarted() {
        return pumpsStarted.get();
    }

    private void onDisconnect(SocketIOClient client) {
        client.set(GONE_ATTR, Boolean.TRUE);
        var removed = local.remove(client.getSessionId());
        if (removed != null && !crashed) work.execute(() -> presence.reconcile(removed.userId(), removed.sessionId()));
    }

    // ---- client events ----

    private SocketBudget newBudget() {
        return new SocketBudget(parley.rateLimit().enabled(), props.socketEventRate(), props.socketEventBurst(),
                props.socketMaxPending(), props.socketMaxRefusals(), System.nanoTime());
    }

    /**
     * The socket's budget admits one more event (the caller then owns a pending slot and must
     * {@code done()} it), or null after answering 429 / disconnecting a socket that keeps going.
     */
    private SocketBudget admit(SocketIOClient client, AckRequest ack) {
        SocketBudget budget = client.get(BUDGET_ATTR);
        if (budget == null) { // events before the connect listener ran: not expected, never unbounded
            budget = newBudget();
            client.set(BUDGET_ATTR, budget);
        }
        switch (budget.admit(System.nanoTime())) {
            case ADMIT -> {
                return budget;
            }
            case REFUSE -> {
                if (ack.isAckRequested()) ack.sendAckData(SocketJson.raw(tooManyJson));
                return null;
            }
            case DROP -> {
                log.info("Closing socket {}: it kept sending after being refused", client.getSessionId());
                closeConnection(client);
                return null;
            }
            default -> {
                return null; // already closing: frames it had sent meanwhile
            }
        }
    }

    /** A message:send payload, checked on the event loop so nothing malformed or oversized is ever queued. */
    private record SendCommand(long receiver, String text, String clientMessageId) {}

    private static SendCommand sendCommand(Object data) {
        if (!(data instanceof Map<?, ?> m)) throw ApiException.badRequest("Payload must be {receiverID, message, clientMessageID?}");
        long receiver = idOf(m.get("receiverID"), "receiverID");
        Object cmid = m.get("clientMessageID");
        if (cmid != null && (!(cmid instanceof String c) || c.length() > 64)) throw ApiException.badRequest("clientMessageID must be a UUID");
        Object text = m.get("message");
        if (text != null && !(text instanceof String)) throw ApiException.badRequest("message must be a string");
        // a UTF-16 string over twice the limit is over it in code points too (the exact check follows in send)
        if (text != null && ((String) text).length() > 2 * Validate.MESSAGE_MAX) {
            throw ApiException.badRequest("message must be at most " + Validate.MESSAGE_MAX + " characters");
        }
        return new SendCommand(receiver, (String) text, (String) cmid);
    }

    private void onSend(SocketIOClient client, Object data, AckRequest ack) {
        var budget = admit(client, ack);
        if (budget == null) return;
        var conn = local.get(client.getSessionId());
        if (conn == null) {
            budget.done();
            ack(ack, ApiResponse.error(HttpStatus.UNAUTHORIZED, "Send user:connect with a valid token first"));
            return;
        }
        SendCommand cmd;
        try {
            cmd = sendCommand(data);
        } catch (ApiException e) {
            budget.done();
            ack(ack, new ApiResponse<>(e.status().value(), e.getMessage(), null, e.status().getReasonPhrase()));
            return;
        }
        conn.sends().execute(() -> {
            try {
                var result = messaging.send(conn.userId(), cmd.receiver(), cmd.text(), cmd.clientMessageId());
                if (ack.isAckRequested()) ack.sendAckData(SocketJson.raw(SocketJson.okEnvelope(json.encode(result.message()))));
            } catch (ApiException e) {
                ack(ack, new ApiResponse<>(e.status().value(), e.getMessage(), null, e.status().getReasonPhrase()));
            } catch (RuntimeException e) {
                ack(ack, failure("message:send", e));
            } finally {
                budget.done();
            }
        });
    }

    record Typing(long userID) {}

    private void onTyping(SocketIOClient client, Object data, AckRequest ack) {
        var budget = admit(client, ack);
        if (budget == null) return;
        var conn = local.get(client.getSessionId());
        if (conn == null) {
            budget.done();
            ack(ack, ApiResponse.error(HttpStatus.UNAUTHORIZED, "Send user:connect with a valid token first"));
            return;
        }
        long receiver;
        try {
            receiver = idOf(data instanceof Map<?, ?> m ? m.get("receiverID") : data, "receiverID");
        } catch (ApiException e) {
            budget.done();
            ack(ack, new ApiResponse<>(e.status().value(), e.getMessage(), null, e.status().getReasonPhrase()));
            return;
        }
        work.execute(() -> {
            try {
                var wait = limits.tryHit("typing-user", conn.userId());
                if (wait != null) {
                    ack(ack, ApiResponse.error(HttpStatus.TOO_MANY_REQUESTS, "Too many requests, try again later"));
                    return;
                }
                // only someone the user already talks with learns that they are typing
                if (!messaging.shareDialog(conn.userId(), receiver)) {
                    ack(ack, ApiResponse.error(HttpStatus.FORBIDDEN, "Typing is only shown in a dialog you share"));
                    return;
                }
                bus.deliver(List.of(receiver), "user:typing", json.encode(new Typing(conn.userId())));
                ack(ack, ApiResponse.ok());
            } catch (ApiException e) {
                ack(ack, new ApiResponse<>(e.status().value(), e.getMessage(), null, e.status().getReasonPhrase()));
            } catch (RuntimeException e) {
                ack(ack, failure("user:typing", e));
            } finally {
                budget.done();
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
            return Validate.id(s, field);
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
