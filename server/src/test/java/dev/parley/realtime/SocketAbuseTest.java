package dev.parley.realtime;

import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.socket.client.Ack;
import io.socket.client.IO;

import org.json.JSONObject;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import dev.parley.support.ApiClient;
import dev.parley.support.IntegrationTest;
import dev.parley.support.TestSocket;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One socket cannot make the node queue unbounded work or slow down everyone else, and cheap
 * requests (an upgrade probe) cost an unauthenticated socket's sender nothing on the server.
 */
class SocketAbuseTest extends IntegrationTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    @Autowired
    SocketGateway gateway;

    @Autowired
    RealtimeProperties props;

    @Test
    void aFloodingSocketIsRefusedAtOnceAndOthersStayFast() throws Exception {
        var ann = signUp("Ann");
        var ben = signUp("Ben");
        var carl = signUp("Carl");
        var dora = signUp("Dora");
        int frames = 3000;
        String text = "x".repeat(4000);

        var flooder = IO.socket(URI.create("http://127.0.0.1:" + socketPort()), IO.Options.builder().setForceNew(true)
                .setReconnection(false).setTransports(new String[] {"websocket"})
                .setAuth(Map.of("token", ann.accessToken())).build());
        var ready = new CompletableFuture<Void>();
        var gone = new CompletableFuture<Void>();
        flooder.on("user:connect_success", a -> ready.complete(null));
        flooder.on(io.socket.client.Socket.EVENT_CONNECT, a -> flooder.emit("user:connect"));
        flooder.on(io.socket.client.Socket.EVENT_DISCONNECT, a -> gone.complete(null));
        flooder.connect();
        ready.get(10, TimeUnit.SECONDS);

        try (var d = TestSocket.connectAs(socketPort(), dora)) {
            // the same requests without a flood, for scale (test machines are often loaded)
            List<Long> calm = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                long s = System.nanoTime();
                assertThat(api.post("/api/message/" + dora.id(), Map.of("message", "calm " + i), carl.accessToken()).status()).isEqualTo(200);
                calm.add((System.nanoTime() - s) / 1_000_000);
            }
            long calmP95 = calm.stream().sorted().toList().get(9);
            var ok = new AtomicInteger();
            var refused = new AtomicInteger();
            var other = new AtomicInteger();
            var allAcked = new CompletableFuture<Void>();
            long t0 = System.nanoTime();
            for (int i = 0; i < frames; i++) {
                var payload = new JSONObject(Map.<String, Object>of("receiverID", ben.id(), "message", text));
                flooder.emit("message:send", new Object[] {payload}, (Ack) args -> {
                    int status = ApiClient.json().readTree(String.valueOf(args[0])).get("statusCode").asInt();
                    (status == 200 ? ok : status == 429 ? refused : other).incrementAndGet();
                    if (ok.get() + refused.get() + other.get() == frames) allAcked.complete(null);
                });
            }
            // meanwhile another user sends, one message at a time, over REST: the socket.io client
            // library runs every socket of this JVM on one event thread, which the flood keeps busy
            List<Long> latenciesMs = new ArrayList<>();
            while (latenciesMs.size() < 20 || !(allAcked.isDone() || gone.isDone())) {
                long s = System.nanoTime();
                var r = api.post("/api/message/" + dora.id(), Map.of("message", "while flooded " + latenciesMs.size()), carl.accessToken());
                latenciesMs.add((System.nanoTime() - s) / 1_000_000);
                assertThat(r.status()).isEqualTo(200);
                if (System.nanoTime() - t0 > TimeUnit.SECONDS.toNanos(60)) break;
            }
            // ...and its messages reach the other side live
            d.await("user:new_message", p -> p.get("message").asString().equals("while flooded " + (latenciesMs.size() - 1)), WAIT);
            CompletableFuture.anyOf(allAcked, gone).get(30, TimeUnit.SECONDS);
            double seconds = (System.nanoTime() - t0) / 1e9;
            var sorted = latenciesMs.stream().sorted().toList();
            long p95 = sorted.get((int) Math.ceil(sorted.size() * 0.95) - 1);
            System.out.printf("flood: %d frames, %d ok, %d refused, %d other, disconnected=%s in %.1f s; other user's send p50 %d ms p95 %d ms max %d ms (n=%d; without flood max %d ms)%n",
                    frames, ok.get(), refused.get(), other.get(), gone.isDone(), seconds,
                    sorted.get(sorted.size() / 2), p95, sorted.getLast(), sorted.size(), calmP95);

            assertThat(refused.get()).as("excess answered 429").isGreaterThan(0);
            assertThat(other.get()).isZero();
            // admitted: at most the burst plus what the rate refilled meanwhile (generous slack for timing)
            assertThat(ok.get()).isLessThanOrEqualTo(props.socketEventBurst() + (int) (props.socketEventRate() * seconds) + 10);
            assertThat(allAcked.isDone() || gone.isDone()).isTrue();
            assertThat(p95).as("another user's sends stay fast during the flood (generous: test machines are often loaded)")
                    .isLessThan(Math.max(3000, 4 * calmP95));
        } finally {
            flooder.off();
            flooder.close();
        }
        // the node is healthy and the flooder may come back
        try (var a = TestSocket.connectAs(socketPort(), ann)) {
            assertThat(SocketGatewayTest.sendOverSocket(a, ben.id(), "calm again", null).get("statusCode").asInt()).isEqualTo(200);
        }
    }

    @Autowired
    ClusterBus bus;

    @Autowired
    org.springframework.data.redis.core.StringRedisTemplate redis;

    /** Pumps, drops and session sweeps share one timer thread; the cluster heartbeat must not wait behind them. */
    @Test
    void aBusyTimerThreadDoesNotDelayTheHeartbeat() throws Exception {
        var release = new java.util.concurrent.CountDownLatch(1);
        var blocked = new java.util.concurrent.CountDownLatch(1);
        gateway.onTimersThread(() -> {
            blocked.countDown();
            try {
                release.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        try {
            assertThat(blocked.await(10, TimeUnit.SECONDS)).isTrue();
            Double start = redis.opsForZSet().score(bus.nodesKey(), bus.nodeId());
            assertThat(start).isNotNull();
            // the heartbeat (every 250 ms in the tests) keeps renewing while the timer thread is stuck
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            Double now = start;
            while (now <= start + 500 && System.nanoTime() < deadline) {
                TestSocket.sleep(50);
                now = redis.opsForZSet().score(bus.nodesKey(), bus.nodeId());
            }
            assertThat(now).as("heartbeat renewed at least twice while the timers were blocked").isGreaterThan(start + 500);
            assertThat(release.getCount()).isEqualTo(1); // still blocked all along
        } finally {
            release.countDown();
        }
    }

    // ---- upgrade NOOP pump ----

    private String base() {
        return "http://127.0.0.1:" + socketPort() + "/socket.io/?EIO=4&transport=polling";
    }

    /** A fresh HTTP client per request: the server may close a polling connection that a pooled client would reuse. */
    private static HttpResponse<String> http(HttpRequest request) {
        try {
            return java.net.http.HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private String poll(String sid) {
        var r = http(HttpRequest.newBuilder(URI.create(base() + "&sid=" + sid)).timeout(Duration.ofSeconds(30)).GET().build());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    private void post(String sid, String packet) {
        HttpResponse<String> r = http(HttpRequest.newBuilder(URI.create(base() + "&sid=" + sid))
                .header("Content-Type", "text/plain;charset=UTF-8").POST(HttpRequest.BodyPublishers.ofString(packet)).build());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    /** A polling Engine.IO 4 session with the default namespace joined; {@code auth} is the CONNECT payload (or null). */
    private String pollingSession(String auth) {
        var open = http(HttpRequest.newBuilder(URI.create(base())).GET().build()).body();
        String sid = ApiClient.json().readTree(open.substring(open.indexOf('{'))).get("sid").asString();
        post(sid, auth == null ? "40" : "40" + auth);
        assertThat(poll(sid)).startsWith("40");
        return sid;
    }

    /** Opens a websocket upgrade request for the sid and returns once the server answered it (kept open). */
    private Socket upgradeRequest(String sid) throws Exception {
        var raw = new Socket("127.0.0.1", socketPort());
        raw.setSoTimeout(5000);
        String req = "GET /socket.io/?EIO=4&transport=websocket&sid=" + sid + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n";
        raw.getOutputStream().write(req.getBytes(StandardCharsets.US_ASCII));
        InputStream in = raw.getInputStream();
        var head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int ch = in.read();
            if (ch < 0) break;
            head.append((char) ch);
        }
        assertThat(head.toString()).startsWith("HTTP/1.1 ");
        return raw;
    }

    @Test
    void anUnauthenticatedSocketStartsNoPumpAndRepeatedUpgradesStartAtMostOne() throws Exception {
        var ann = signUp("Ann");
        List<Socket> opened = new ArrayList<>();
        try {
            // anonymous: upgrade requests cost nothing, however many
            String anon = pollingSession(null);
            long before = gateway.pumpsStarted();
            for (int i = 0; i < 5; i++) opened.add(upgradeRequest(anon));
            assertThat(gateway.pumpsStarted()).isEqualTo(before);
            // ... and neither does a socket with a bad token
            String bad = pollingSession("{\"token\":\"not-a-token\"}");
            for (int i = 0; i < 3; i++) opened.add(upgradeRequest(bad));
            assertThat(gateway.pumpsStarted()).isEqualTo(before);

            // a socket that presents a valid token: one pump, however many upgrade requests
            String good = pollingSession("{\"token\":\"" + ann.accessToken() + "\"}");
            for (int i = 0; i < 5; i++) opened.add(upgradeRequest(good));
            assertThat(gateway.pumpsStarted()).isEqualTo(before + 1);

            // a socket that upgraded anonymously gets its pump once it authenticates (still polling, in time)
            String late = pollingSession(null);
            opened.add(upgradeRequest(late));
            assertThat(gateway.pumpsStarted()).isEqualTo(before + 1);
            post(late, "42[\"user:connect\",{\"token\":\"" + ann.accessToken() + "\"}]");
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (gateway.pumpsStarted() == before + 1 && System.nanoTime() < deadline) TestSocket.sleep(10);
            assertThat(gateway.pumpsStarted()).isEqualTo(before + 2);
            opened.add(upgradeRequest(late));
            assertThat(gateway.pumpsStarted()).isEqualTo(before + 2);
        } finally {
            for (var s : opened) s.close();
        }
    }
}
