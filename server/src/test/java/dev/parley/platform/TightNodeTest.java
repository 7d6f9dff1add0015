package dev.parley.platform;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import dev.parley.ParleyApplication;
import dev.parley.support.ApiClient;
import dev.parley.support.TestServices;
import dev.parley.support.TestSocket;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One node with settings no other test can share: a Redis of its own (so the test may stop it),
 * an extra CORS origin, a low search limit, no room for sends in flight, and a password-hash pool of
 * one thread with a queue of one. Started by hand (not a cached test context) so it is closed
 * before its Redis is stopped.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TightNodeTest {
    private static final String EXTRA_ORIGIN = "https://chat.extra.example";
    private static final String PASSWORD = "correct horse battery";
    private static final Duration WAIT = Duration.ofSeconds(5);

    private static OwnRedis redis;
    private static ConfigurableApplicationContext ctx;
    private static ApiClient api;
    private static int httpPort;
    private static int socketPort;

    @BeforeAll
    static void start() throws Exception {
        redis = OwnRedis.start();
        httpPort = TestServices.freePort();
        socketPort = TestServices.freePort();
        var args = new ArrayList<>(List.of(
                "--server.port=" + httpPort,
                "--parley.socket.port=" + socketPort,
                "--spring.datasource.url=" + TestServices.databaseUrl(),
                "--spring.datasource.username=" + TestServices.PG_USER,
                "--spring.datasource.password=",
                "--spring.data.redis.url=redis://127.0.0.1:" + redis.port,
                "--spring.data.redis.timeout=1s",
                "--parley.redis.key-prefix=tight:",
                "--spring.mail.host=127.0.0.1",
                "--spring.mail.port=" + TestServices.greenMail().getSmtp().getPort(),
                "--parley.public-url=http://localhost:5173",
                "--parley.cors.allowed-origins=" + EXTRA_ORIGIN,
                "--parley.data-dir=" + Files.createTempDirectory("parley-tight"),
                "--parley.jwt.secret=tight-secret-tight-secret-tight-secret-0123456789",
                "--parley.auth.require-email-confirmation=false",
                // slow enough hashes that a burst of logins finds the one thread busy and its queue full
                "--parley.auth.bcrypt-cost=11",
                "--parley.auth.hash-threads=1",
                "--parley.auth.hash-queue=1",
                "--parley.messaging.max-in-flight=0",
                "--parley.rate-limit.rules.search-user=3/1m"));
        for (String rule : List.of("login-ip", "login-account", "register-ip", "refresh-ip", "check-email-ip")) {
            args.add("--parley.rate-limit.rules." + rule + "=100000/1m");
        }
        ctx = new SpringApplicationBuilder(ParleyApplication.class).run(args.toArray(String[]::new));
        api = new ApiClient("http://127.0.0.1:" + httpPort);
    }

    @AfterAll
    static void stop() {
        if (ctx != null) ctx.close();
        if (redis != null) redis.stop();
    }

    private record User(long id, String token) {}

    private static int seq;

    private static User register(String name) {
        String email = name.toLowerCase() + "-" + TestServices.RUN_ID + "-tight-" + (++seq) + "@example.test";
        assertThat(api.post("/api/user", Map.of("name", name, "email", email, "password", PASSWORD)).status()).isEqualTo(200);
        var r = api.post("/api/auth/login", Map.of("email", email, "password", PASSWORD, "os", "Linux", "browser", "JUnit"));
        assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
        return new User(r.data().get("userID").asLong(), r.data().get("accessToken").asString());
    }

    private static String actuator(String path) {
        // health may live on a management port of its own
        String port = ctx.getEnvironment().getProperty("local.management.port", Integer.toString(httpPort));
        return "http://127.0.0.1:" + port + "/actuator" + path;
    }

    private static HttpResponse<String> get(String url) {
        return api.rawRequest(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20)).GET().build());
    }

    @Test
    @Order(Integer.MAX_VALUE) // last: the other tests need not wait for Redis to come back
    void readinessGoesDownWithoutRedisWhileLivenessStaysUp() {
        assertThat(get(actuator("/health/readiness")).statusCode()).isEqualTo(200);
        redis.stop();
        try {
            Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                    .until(() -> get(actuator("/health/readiness")).statusCode() == 503);
            var readiness = get(actuator("/health/readiness"));
            assertThat(readiness.body()).contains("\"DOWN\"");
            assertThat(get(actuator("/health/liveness")).statusCode()).isEqualTo(200); // restarting would not help
        } finally {
            redis.restart();
        }
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                .until(() -> get(actuator("/health/readiness")).statusCode() == 200);
    }

    @Test
    void searchIsRateLimitedPerUser() {
        var u = register("Sid");
        for (int i = 0; i < 3; i++) {
            assertThat(api.post("/api/user/search", Map.of("name", "x" + i), u.token()).status()).isEqualTo(200);
        }
        var limited = api.post("/api/user/search", Map.of("name", "x"), u.token());
        assertThat(limited.status()).isEqualTo(429);
        assertThat(limited.body().get("statusCode").asInt()).isEqualTo(429);
        assertThat(Long.parseLong(limited.header("Retry-After"))).isBetween(1L, 60L);
        assertThat(api.post("/api/user/search", Map.of("name", "x"), register("Ola").token()).status()).isEqualTo(200); // per user
    }

    @Test
    void sendsBeyondMaxInFlightAre503WithRetryAfter() {
        var ann = register("Ann");
        var ben = register("Ben");
        var r = api.post("/api/message/" + ben.id(), Map.of("message", "no room"), ann.token());
        assertThat(r.status()).isEqualTo(503);
        assertThat(r.body().get("statusCode").asInt()).isEqualTo(503);
        assertThat(Long.parseLong(r.header("Retry-After"))).isPositive();
        try (var s = TestSocket.connectAs(socketPort, ann.token(), TestSocket.Auth.AUTH_PAYLOAD, true)) {
            var ack = s.emitAck("message:send", Map.of("receiverID", ben.id(), "message", "no room either"));
            assertThat(ack.get("statusCode").asInt()).isEqualTo(503);
        }
        assertThat(api.get("/api/sync?after=0", ben.token()).data()).isEmpty();
    }

    @Test
    void loginsBeyondThePasswordHashQueueAre503WithRetryAfter() throws Exception {
        var known = register("Kim");
        List<Future<ApiClient.Response>> burst = new ArrayList<>();
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 8; i++) {
                Callable<ApiClient.Response> login = () -> api.post("/api/auth/login",
                        Map.of("email", "nobody-" + TestServices.RUN_ID + "@example.test", "password", "wrong password", "os", "x", "browser", "y"));
                burst.add(pool.submit(login));
            }
        }
        List<Integer> statuses = new ArrayList<>();
        for (var f : burst) {
            var r = f.get();
            statuses.add(r.status());
            if (r.status() == 503) {
                assertThat(r.body().get("statusCode").asInt()).isEqualTo(503);
                assertThat(Long.parseLong(r.header("Retry-After"))).isPositive();
            }
        }
        assertThat(statuses).as("one hashing, one queued, the rest turned away").contains(503).contains(401).containsOnly(401, 503);
        // once the burst has passed, logins work again
        var ok = api.post("/api/auth/login", Map.of("email", emailOf(known), "password", PASSWORD, "os", "x", "browser", "y"));
        assertThat(ok.status()).isEqualTo(200);
    }

    private static String emailOf(User u) {
        return api.get("/api/user/me", u.token()).data().get("email").asString();
    }

    @Test
    void anExtraConfiguredOriginMayCallRestAndSocketIoIncludingPreflights() {
        for (String origin : List.of(EXTRA_ORIGIN, "http://localhost:5173")) {
            var rest = preflight("http://127.0.0.1:" + httpPort + "/api/auth/login", origin, "POST");
            assertThat(rest.statusCode()).as("REST preflight from " + origin).isEqualTo(200);
            assertThat(rest.headers().firstValue("Access-Control-Allow-Origin")).contains(origin);
            assertThat(String.join(",", rest.headers().allValues("Access-Control-Allow-Headers")).toLowerCase())
                    .contains("authorization").contains("content-type");

            String socketUrl = "http://127.0.0.1:" + socketPort + "/socket.io/?EIO=4&transport=polling";
            var socketPreflight = preflight(socketUrl, origin, "GET");
            assertThat(socketPreflight.statusCode()).as("Socket.IO preflight from " + origin).isBetween(200, 204);
            assertThat(socketPreflight.headers().firstValue("Access-Control-Allow-Origin")).contains(origin);
            assertThat(String.join(",", socketPreflight.headers().allValues("Access-Control-Allow-Headers")).toLowerCase())
                    .contains("authorization").contains("content-type");
            var poll = api.rawRequest(HttpRequest.newBuilder(URI.create(socketUrl)).header("Origin", origin).GET().build());
            assertThat(poll.statusCode()).isEqualTo(200);
            assertThat(poll.headers().firstValue("Access-Control-Allow-Origin")).contains(origin);
        }
        String evil = "https://evil.example";
        var rest = preflight("http://127.0.0.1:" + httpPort + "/api/auth/login", evil, "POST");
        assertThat(rest.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
        assertThat(preflight("http://127.0.0.1:" + socketPort + "/socket.io/?EIO=4&transport=polling", evil, "GET").statusCode()).isEqualTo(403);
    }

    private static HttpResponse<String> preflight(String url, String origin, String method) {
        return api.rawRequest(HttpRequest.newBuilder(URI.create(url))
                .header("Origin", origin)
                .header("Access-Control-Request-Method", method)
                .header("Access-Control-Request-Headers", "authorization,content-type")
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).build());
    }

    /** A redis-server process of this test's own, on a free port, without persistence. */
    static final class OwnRedis {
        final int port;
        private final Path dir;
        private Process process;

        private OwnRedis(int port, Path dir) {
            this.port = port;
            this.dir = dir;
        }

        static OwnRedis start() throws IOException {
            var r = new OwnRedis(TestServices.freePort(), Files.createTempDirectory("parley-own-redis"));
            r.restart();
            return r;
        }

        void restart() {
            try {
                process = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                        "--save", "", "--appendonly", "no", "--dir", dir.toString())
                        .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
            } catch (IOException e) {
                throw new IllegalStateException("Tests need redis-server on the PATH", e);
            }
            Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(this::answers);
        }

        void stop() {
            if (process == null) return;
            process.destroy(); // SIGTERM: redis-server exits at once without saving (persistence is off)
            try {
                if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            process = null;
        }

        private boolean answers() {
            try (var s = new Socket("127.0.0.1", port)) {
                s.setSoTimeout(1000);
                OutputStream out = s.getOutputStream();
                out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                InputStream in = s.getInputStream();
                byte[] buf = new byte[7];
                int n = in.read(buf);
                return n > 0 && new String(buf, 0, n, StandardCharsets.US_ASCII).startsWith("+PONG");
            } catch (IOException e) {
                return false;
            }
        }
    }
}
