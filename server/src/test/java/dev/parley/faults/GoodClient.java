package dev.parley.faults;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import io.socket.client.Ack;
import io.socket.client.IO;
import io.socket.client.Socket;

import org.json.JSONObject;

import dev.parley.support.ApiClient;

import tools.jackson.databind.JsonNode;

/**
 * A client that behaves as docs/ARCHITECTURE.md ("What a good client does") asks: it keeps the
 * highest message id it has shown, syncs after every (re)connect and on {@code sync:required}
 * from min(cursor, after), merges by id, sends one message at a time with a clientMessageID and
 * retries it (socket, else REST on either node) until acknowledged, refreshes its token on
 * {@code user:invalid_token} and signs in again when the refresh is refused.
 */
final class GoodClient implements AutoCloseable {
    record Acked(long messageId, String text, long atMillis) {}

    final long userId;
    final String name;
    private final String email;
    private final String password;
    private final List<ApiClient> apis; // home node first
    private final int socketPort;
    private volatile String accessToken;
    private volatile String refreshToken;
    private Socket socket;
    private final ExecutorService work = Executors.newSingleThreadExecutor(Thread.ofVirtual().name("client-", 0).factory());
    private final AtomicBoolean closed = new AtomicBoolean();

    /** what this client shows: message id → text */
    final Map<Long, String> shown = new ConcurrentHashMap<>();
    final AtomicLong cursor = new AtomicLong();
    /** {when, cursor} each time the cursor moved, for "the cursor as it was before the connection dropped" */
    private final java.util.concurrent.ConcurrentLinkedDeque<long[]> cursorHistory = new java.util.concurrent.ConcurrentLinkedDeque<>();
    private volatile long disconnectedAt;
    /**
     * A reconnect syncs from the cursor as it was this long before the connection was lost: a loss
     * a node detected after this client had gone (so its sync:required never arrived) concerns
     * messages committed at most resync-margin (10 s) + detection time (two heartbeats) earlier.
     */
    static final long RECONNECT_LOOKBACK_MS = 30_000;
    volatile boolean online;
    final List<Acked> acked = new CopyOnWriteArrayList<>();
    /** when a send attempt failed (no ack, non-200 ack, REST error) */
    final List<Long> failedAttempts = new CopyOnWriteArrayList<>();
    final AtomicLong resyncs = new AtomicLong();
    final AtomicLong reLogins = new AtomicLong();
    private Thread sender;
    private volatile boolean sending;
    private volatile String lastFailure = "";
    private final AtomicBoolean reauthQueued = new AtomicBoolean();

    GoodClient(long userId, String name, String email, String password, String accessToken, String refreshToken,
               List<ApiClient> apis, int socketPort) {
        this.userId = userId;
        this.name = name;
        this.email = email;
        this.password = password;
        this.accessToken = accessToken;
        this.refreshToken = refreshToken;
        this.apis = apis;
        this.socketPort = socketPort;
    }

    void connect() {
        var opts = IO.Options.builder().setForceNew(true).setReconnection(true).setReconnectionDelay(300)
                .setReconnectionDelayMax(2000).setTimeout(5000).setTransports(new String[] {"websocket"}).build();
        socket = IO.socket(URI.create("http://127.0.0.1:" + socketPort), opts);
        socket.on(Socket.EVENT_CONNECT, a -> socket.emit("user:connect", new JSONObject(Map.of("token", accessToken))));
        socket.on("user:connect_success", a -> {
            // the point is taken now, before anything else moves the cursor (a live event, an ack)
            long from = disconnectedAt == 0 ? cursor.get() : Math.min(cursor.get(), cursorAsOf(disconnectedAt - RECONNECT_LOOKBACK_MS));
            online = true;
            work.execute(() -> sync(from));
        });
        socket.on("sync:required", a -> {
            resyncs.incrementAndGet();
            long after = a.length > 0 && a[0] instanceof JSONObject o ? o.optLong("after", 0) : 0;
            long from = Math.min(cursor.get(), after);
            work.execute(() -> sync(from));
        });
        socket.on("user:new_message", a -> {
            if (a.length > 0 && a[0] instanceof JSONObject o) show(o.optLong("messageID"), o.optString("message"));
        });
        socket.on("user:invalid_token", a -> {
            online = false;
            queueReauthentication();
        });
        socket.on(Socket.EVENT_DISCONNECT, a -> {
            if (online) disconnectedAt = System.currentTimeMillis();
            online = false;
            // the server closed us (after invalid_token, or it could not check the session): socket.io
            // does not reconnect by itself then
            if (a.length > 0 && "io server disconnect".equals(a[0]) && !closed.get()) {
                work.execute(() -> {
                    sleep(500);
                    if (!closed.get() && !socket.connected()) socket.connect();
                });
            }
        });
        socket.connect();
        // like the SPA's retryLater: whatever state socket.io's own reconnection ended in (a server
        // disconnect during a failed attempt, a refused handshake), a socket down for a while is reopened
        Thread.ofVirtual().name("watchdog-" + userId).start(() -> {
            long downSince = 0, unauthSince = 0;
            while (!closed.get()) {
                sleep(1000);
                if (socket.connected()) {
                    downSince = 0;
                    if (online) {
                        unauthSince = 0;
                    } else if (unauthSince == 0) {
                        unauthSince = System.currentTimeMillis();
                    } else if (System.currentTimeMillis() - unauthSince > 6000) {
                        socket.emit("user:connect", new JSONObject(Map.of("token", accessToken))); // no answer yet: ask again
                        unauthSince = System.currentTimeMillis();
                    }
                } else if (downSince == 0) {
                    downSince = System.currentTimeMillis();
                } else if (System.currentTimeMillis() - downSince > 4000) {
                    socket.disconnect();
                    socket.connect();
                    downSince = System.currentTimeMillis();
                }
            }
        });
    }

    /** Drops the connection as a network failure would; the client reconnects after a moment. */
    void dropConnection() {
        socket.disconnect();
        if (online) disconnectedAt = System.currentTimeMillis();
        online = false;
        work.execute(() -> {
            sleep(700);
            if (!closed.get()) socket.connect();
        });
    }

    /**
     * Shows a message. The cursor (where the next sync starts) advances only while the socket is
     * online: then everything before this id reached the client live, was synced, or its loss
     * triggers a resync. A send acknowledged over REST while offline must not move it, or the
     * reconnect's sync would start after messages others sent meanwhile.
     */
    private void show(long id, String text) {
        shown.put(id, text);
        if (online && cursor.accumulateAndGet(id, Math::max) == id) {
            long now = System.currentTimeMillis();
            cursorHistory.addLast(new long[] {now, id});
            while (cursorHistory.size() > 1 && cursorHistory.peekFirst()[0] < now - 5 * RECONNECT_LOOKBACK_MS) cursorHistory.pollFirst();
        }
    }

    /** The cursor as it was at {@code at} (0 if it was never set then). */
    private long cursorAsOf(long at) {
        long best = 0;
        for (long[] h : cursorHistory) {
            if (h[0] > at) break;
            best = h[1];
        }
        return best;
    }

    /** Pages /api/sync from {@code after}; retried until it succeeds (the server may be down). */
    private void sync(long after) {
        long from = after;
        for (int attempt = 0; !closed.get(); attempt++) {
            try {
                while (true) {
                    var r = rest("GET", "/api/sync?after=" + from + "&limit=500", null);
                    if (r.status() == 401) reauthenticate();
                    if (r.status() != 200) throw new IllegalStateException("sync " + r.status());
                    JsonNode data = r.data();
                    for (JsonNode m : data) {
                        show(m.get("messageID").asLong(), m.get("message").asString());
                        from = Math.max(from, m.get("messageID").asLong());
                    }
                    if (data.size() < 500) return;
                }
            } catch (RuntimeException e) {
                sleep(Math.min(2000, 250L << Math.min(attempt, 3)));
            }
        }
    }

    private void queueReauthentication() {
        if (reauthQueued.compareAndSet(false, true)) {
            work.execute(() -> {
                reauthQueued.set(false);
                reauthenticate();
            });
        }
    }

    /** Refresh; a refused refresh (session gone) means signing in again. Then reconnect. */
    private void reauthenticate() {
        while (!closed.get()) {
            try {
                var r = rest("POST", "/api/auth/refresh-token", Map.of("userID", userId, "refreshToken", refreshToken,
                        "os", "Linux", "browser", "FaultTest"));
                if (r.status() == 401) {
                    reLogins.incrementAndGet();
                    r = rest("POST", "/api/auth/login", Map.of("email", email, "password", password, "os", "Linux", "browser", "FaultTest"));
                }
                if (r.status() == 200) {
                    accessToken = r.data().get("accessToken").asString();
                    refreshToken = r.data().get("refreshToken").asString();
                    if (socket.connected()) socket.emit("user:connect", new JSONObject(Map.of("token", accessToken)));
                    else socket.connect();
                    return;
                }
            } catch (RuntimeException e) {
                // node or dependency down: try again
            }
            sleep(500);
        }
    }

    /** One REST call, on the home node, else the other one (a load balancer would do that). */
    private ApiClient.Response rest(String method, String path, Object body) {
        RuntimeException last = null;
        for (ApiClient api : apis) {
            try {
                return api.send(method, path, body, path.startsWith("/api/auth/") ? null : accessToken);
            } catch (RuntimeException e) {
                last = e;
            }
        }
        throw last;
    }

    /** Sends to {@code peer} every {@code periodMs}, each message retried until acknowledged. */
    void startSending(long peer, long periodMs) {
        sending = true;
        sender = Thread.ofVirtual().name("sender-" + userId).start(() -> {
            for (int seq = 1; sending && !closed.get(); seq++) {
                long next = System.currentTimeMillis() + periodMs;
                String text = name + "#" + seq;
                String cmid = UUID.randomUUID().toString();
                while (!closed.get()) {
                    Long id = sendOnce(peer, text, cmid);
                    if (id != null) {
                        acked.add(new Acked(id, text, System.currentTimeMillis()));
                        show(id, text); // the ack shows it to the sender
                        break;
                    }
                    failedAttempts.add(System.currentTimeMillis());
                    sleep(300);
                }
                sleep(Math.max(0, next - System.currentTimeMillis()));
            }
        });
    }

    /** Stops after the message in flight was acknowledged (it is retried until then). */
    void stopSending() throws InterruptedException {
        sending = false;
        if (sender != null) sender.join(60_000);
    }

    private Long sendOnce(long peer, String text, String cmid) {
        try {
            if (online && socket.connected()) {
                var f = new CompletableFuture<JSONObject>();
                socket.emit("message:send", new Object[] {new JSONObject(Map.of("receiverID", peer, "message", text, "clientMessageID", cmid))},
                        (Ack) a -> f.complete(a.length > 0 && a[0] instanceof JSONObject o ? o : new JSONObject()));
                JSONObject ack = f.get(4, TimeUnit.SECONDS);
                if (ack.optInt("statusCode") == 200) return ack.getJSONObject("data").getLong("messageID");
                if (ack.optInt("statusCode") == 401) queueReauthentication();
                lastFailure = "socket ack " + ack;
                return null;
            }
            var r = rest("POST", "/api/message/" + peer, Map.of("message", text, "clientMessageID", cmid));
            if (r.status() == 200) return r.data().get("messageID").asLong();
            if (r.status() == 401) queueReauthentication();
            lastFailure = "REST " + r.status() + " " + r.body();
            return null;
        } catch (Exception e) {
            lastFailure = e.toString();
            return null;
        }
    }

    /** For failure messages: what this client is doing. */
    String describe() {
        long last = acked.isEmpty() ? 0 : acked.get(acked.size() - 1).atMillis();
        return String.format("%s(user %d, port %d): online=%s connected=%s acked=%d lastAck=%d ms ago failures=%d last failure=%s",
                name, userId, socketPort, online, socket != null && socket.connected(), acked.size(),
                System.currentTimeMillis() - last, failedAttempts.size(), lastFailure);
    }

    String currentToken() {
        return accessToken;
    }

    List<Acked> ackedSnapshot() {
        return new ArrayList<>(acked);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        closed.set(true);
        if (socket != null) {
            socket.off();
            socket.disconnect();
            socket.close();
        }
        work.shutdownNow();
    }
}
