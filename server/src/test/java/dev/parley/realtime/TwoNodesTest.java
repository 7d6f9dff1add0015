package dev.parley.realtime;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.Environment;

import dev.parley.ParleyApplication;
import dev.parley.platform.ParleyProperties;
import dev.parley.support.ApiClient;
import dev.parley.support.IntegrationTest;
import dev.parley.support.TestServices;
import dev.parley.support.TestSocket;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Several nodes sharing Postgres and Redis behave as one server. Node A is the shared test context;
 * node B is a second full application context on other ports, same database and Redis prefix.
 */
class TwoNodesTest extends IntegrationTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final List<ConfigurableApplicationContext> started = new ArrayList<>();
    private static Node nodeB;

    @Autowired
    Environment env;
    @Autowired
    ClusterBus bus;

    record Node(ConfigurableApplicationContext ctx, ApiClient api, int socketPort) {}

    private Node startNode(String... extraArgs) {
        int http = TestServices.freePort(), socket = TestServices.freePort();
        var props = new ArrayList<String>();
        for (String key : List.of("spring.datasource.url", "spring.datasource.username", "spring.data.redis.url",
                "parley.redis.key-prefix", "spring.mail.host", "spring.mail.port", "parley.public-url",
                "parley.data-dir", "parley.jwt.secret", "parley.auth.bcrypt-cost")) {
            props.add("--" + key + "=" + env.getProperty(key));
        }
        props.add("--spring.datasource.password=");
        for (String rule : new String[] {"login-ip", "search-user", "message-send-user", "typing-user"}) {
            String key = "--parley.rate-limit.rules." + rule + "=";
            if (java.util.Arrays.stream(extraArgs).noneMatch(a -> a.startsWith(key))) props.add(key + "100000/1m");
        }
        props.add("--server.port=" + http);
        props.add("--parley.socket.port=" + socket);
        props.addAll(List.of(extraArgs));
        var ctx = new SpringApplicationBuilder(ParleyApplication.class).run(props.toArray(String[]::new)); // args beat application.yml
        started.add(ctx);
        return new Node(ctx, new ApiClient("http://127.0.0.1:" + http), socket);
    }

    private synchronized Node nodeB() {
        // tokens node B issues expire fast; its send and typing limits are low (the counters are shared in Redis)
        if (nodeB == null) nodeB = startNode("--parley.jwt.access-token-ttl=3s", "--parley.rate-limit.rules.message-send-user=6/1m",
                "--parley.rate-limit.rules.typing-user=3/1m");
        return nodeB;
    }

    @AfterAll
    static void stopNodes() {
        started.forEach(ConfigurableApplicationContext::close);
        started.clear();
        nodeB = null;
    }

    @Test
    void messagesCrossNodesExactlyOnceInBothDirections() {
        var b = nodeB();
        var ann = signUp("Ann");
        var ben = signUp("Ben");
        try (var annOnA = TestSocket.connectAs(socketPort(), ann); var benOnB = TestSocket.connectAs(b.socketPort(), ben);
             var annOnB = TestSocket.connectAs(b.socketPort(), login("Ann", ann.email(), PASSWORD, "Mac", "Safari"))) {
            long viaA = api.post("/api/message/" + ben.id(), Map.of("message", "through A"), ann.accessToken()).data().get("messageID").asLong();
            benOnB.await("user:new_message", p -> p.get("messageID").asLong() == viaA, WAIT);
            long viaB = SocketGatewayTest.sendOverSocket(benOnB, ann.id(), "through B", null).get("data").get("messageID").asLong();
            annOnA.await("user:new_message", p -> p.get("messageID").asLong() == viaB, WAIT);
            annOnB.await("user:new_message", p -> p.get("messageID").asLong() == viaB, WAIT);
            // a marker sent after both: a late duplicate of either would arrive before it
            long marker = SocketGatewayTest.sendOverSocket(annOnA, ben.id(), "marker", null).get("data").get("messageID").asLong();
            for (var s : List.of(annOnA, benOnB, annOnB)) {
                s.await("user:new_message", p -> p.get("messageID").asLong() == marker, WAIT);
                assertThat(s.events("user:new_message").stream().map(e -> e.payload().get("messageID").asLong()).toList())
                        .containsExactly(viaA, viaB, marker);
                assertThat(s.events("user:new_dialog")).hasSize(1);
            }
            // typing and read receipts cross too
            assertThat(annOnA.emitAck("user:typing", Map.of("receiverID", ben.id())).get("statusCode").asInt()).isEqualTo(200);
            assertThat(benOnB.await("user:typing", WAIT).payload().get("userID").asLong()).isEqualTo(ann.id());
            b.api().get("/api/message/" + ann.id() + "?take=5&skip=0", ben.accessToken());
            assertThat(annOnA.await("user:all_messages_read", WAIT).payload().asLong()).isEqualTo(ben.id());
        }
    }

    @Test
    void revokingOnNodeADisconnectsTheSocketOnNodeBWithinOneSecond() {
        var b = nodeB();
        var ann = signUp("Ann");
        var phone = login("Ann", ann.email(), PASSWORD, "Android", "App");
        try (var phoneOnB = TestSocket.connectAs(b.socketPort(), phone); var laptopOnA = TestSocket.connectAs(socketPort(), ann)) {
            String phoneSid = null;
            for (var s : api.get("/api/session", ann.accessToken()).data()) {
                if (!s.get("current").asBoolean()) {
                    phoneSid = s.get("sessionID").asString();
                    assertThat(s.get("online").asBoolean()).as("session online on node B, seen from A").isTrue();
                }
            }
            assertThat(b.api().get("/api/user/me", phone.accessToken()).status()).isEqualTo(200); // B remembers the check
            long t0 = System.nanoTime();
            assertThat(api.delete("/api/session/" + phoneSid, null, ann.accessToken()).status()).isEqualTo(200);
            phoneOnB.await("user:invalid_token", Duration.ofSeconds(1));
            // B forgot its verified tokens before telling the socket, so REST on B refuses the session too
            assertThat(b.api().get("/api/user/me", phone.accessToken()).status()).isEqualTo(401);
            phoneOnB.awaitDisconnected(Duration.ofSeconds(1));
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(1));
            assertThat(laptopOnA.isDisconnected()).isFalse();
        }
    }

    /**
     * The core client checks its token only at connect and signs the user out when several of its
     * sockets are rejected at once: a socket lives as long as its session, not its access token.
     */
    @Test
    void aSocketOutlivesItsAccessTokenButNotItsSession() {
        var b = nodeB();
        var ann = signUp("Ann");
        var ben = signUp("Ben");
        var r = b.api().post("/api/auth/login", Map.of("email", ann.email(), "password", PASSWORD, "os", "Linux", "browser", "Short"));
        String shortToken = r.data().get("accessToken").asString(); // issued by node B: 3 s
        var claims = ApiClient.json().readTree(java.util.Base64.getUrlDecoder().decode(shortToken.split("\\.")[1]));
        long expMs = claims.get("exp").asLong() * 1000;
        String sid = claims.get("sid").asString();
        try (var s = TestSocket.connectAs(b.socketPort(), shortToken, TestSocket.Auth.AUTH_PAYLOAD, true)) {
            TestSocket.sleep(Math.max(0, expMs + 1500 - System.currentTimeMillis())); // let the token expire
            assertThat(b.api().get("/api/user/me", shortToken).status()).as("the token has expired").isEqualTo(401);
            long m = api.post("/api/message/" + ann.id(), Map.of("message", "after exp"), ben.accessToken()).data().get("messageID").asLong();
            s.await("user:new_message", p -> p.get("messageID").asLong() == m, WAIT);
            assertThat(s.events("user:invalid_token")).isEmpty();
            assertThat(s.isDisconnected()).isFalse();

            // revoking the session (from node A) still drops it at once
            assertThat(api.delete("/api/session/" + sid, null, ann.accessToken()).status()).isEqualTo(200);
            s.await("user:invalid_token", Duration.ofSeconds(1));
            s.awaitDisconnected(Duration.ofSeconds(1));
        }
    }

    @Test
    void sendLimitsAnswer429OnSocketAndRest() {
        var b = nodeB();
        var ann = signUp("Ann");
        var ben = signUp("Ben");
        try (var annOnB = TestSocket.connectAs(b.socketPort(), ann)) {
            for (int i = 0; i < 5; i++) {
                assertThat(SocketGatewayTest.sendOverSocket(annOnB, ben.id(), "m" + i, null).get("statusCode").asInt()).isEqualTo(200);
            }
            assertThat(b.api().post("/api/message/" + ben.id(), Map.of("message", "sixth"), ann.accessToken()).status()).isEqualTo(200);
            var ack = SocketGatewayTest.sendOverSocket(annOnB, ben.id(), "seventh", null);
            assertThat(ack.get("statusCode").asInt()).isEqualTo(429);
            var rest = b.api().post("/api/message/" + ben.id(), Map.of("message", "eighth"), ann.accessToken());
            assertThat(rest.status()).isEqualTo(429);
            assertThat(rest.header("Retry-After")).isNotNull();
            assertThat(api.get("/api/message/" + ann.id() + "?take=100&skip=1", ben.accessToken()).data()).hasSize(5);
        }
    }

    @Test
    void typingLimitsAreSharedByTheNodes() {
        var b = nodeB();
        // each node counts in memory while it believes itself alone: wait until both see the other
        Awaitility.await().atMost(WAIT).until(() -> !bus.alone() && !b.ctx().getBean(ClusterBus.class).alone());
        var ann = signUp("Ann");
        var ben = signUp("Ben");
        api.post("/api/message/" + ben.id(), Map.of("message", "hi"), ann.accessToken()); // typing is between contacts
        try (var annOnA = TestSocket.connectAs(socketPort(), ann); var annOnB = TestSocket.connectAs(b.socketPort(), ann)) {
            for (int i = 0; i < 3; i++) {
                assertThat(annOnA.emitAck("user:typing", Map.of("receiverID", ben.id())).get("statusCode").asInt()).isEqualTo(200);
            }
            // node B allows 3 a minute and has seen none of them itself: only the shared count can refuse this
            var ack = annOnB.emitAck("user:typing", Map.of("receiverID", ben.id()));
            assertThat(ack.get("statusCode").asInt()).isEqualTo(429);
            assertThat(ack.get("message").asString()).isNotBlank();
            // per user: Ben's budget on B is untouched
            try (var benOnB = TestSocket.connectAs(b.socketPort(), ben)) {
                assertThat(benOnB.emitAck("user:typing", Map.of("receiverID", ann.id())).get("statusCode").asInt()).isEqualTo(200);
            }
        }
    }

    @Test
    void presenceIsClusterWide() {
        var b = nodeB();
        var ann = signUp("Ann");
        var ben = signUp("Ben");
        api.post("/api/message/" + ben.id(), Map.of("message", "hi"), ann.accessToken());
        try (var annOnA = TestSocket.connectAs(socketPort(), ann)) {
            var benOnB = TestSocket.connectAs(b.socketPort(), ben);
            var st = annOnA.await("user:connection_status", WAIT).payload();
            assertThat(st.get("receiverID").asLong()).isEqualTo(ben.id());
            assertThat(st.get("connectionStatus").asString()).isEqualTo("online");
            assertThat(api.get("/api/dialog", ann.accessToken()).data().get(0).get("connectionStatus").asString()).isEqualTo("online");
            assertThat(b.api().get("/api/dialog", ben.accessToken()).data().get(0).get("connectionStatus").asString()).isEqualTo("online");
            benOnB.close();
            annOnA.await("user:connection_status", p -> p.get("connectionStatus").asString().equals("offline"), WAIT);
            assertThat(api.get("/api/dialog", ann.accessToken()).data().get(0).get("connectionStatus").asString()).isEqualTo("offline");
        }
    }

    @Test
    void aNodeThatDiesWithoutGoodbyeTakesItsUsersOfflineWithinTheTtl() {
        var c = startNode();
        var ann = signUp("Ann");
        var ben = signUp("Ben");
        api.post("/api/message/" + ben.id(), Map.of("message", "hi"), ann.accessToken());
        try (var annOnA = TestSocket.connectAs(socketPort(), ann)) {
            TestSocket.connectAs(c.socketPort(), ben);
            annOnA.await("user:connection_status", p -> p.get("connectionStatus").asString().equals("online"), WAIT);
            long t0 = System.nanoTime();
            c.ctx().getBean(SocketGateway.class).crash();
            annOnA.await("user:connection_status", p -> p.get("connectionStatus").asString().equals("offline"), Duration.ofSeconds(6));
            var ttl = c.ctx().getBean(RealtimeProperties.class).nodeTtl();
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(ttl.multipliedBy(2).plusSeconds(1));
            assertThat(api.get("/api/dialog", ann.accessToken()).data().get(0).get("connectionStatus").asString()).isEqualTo("offline");
            assertThat(c.ctx().getBean(ParleyProperties.class).socket().port()).isEqualTo(c.socketPort());
        } finally {
            c.ctx().close();
        }
    }
}
