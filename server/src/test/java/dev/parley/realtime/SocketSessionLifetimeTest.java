package dev.parley.realtime;

import java.time.Duration;
import java.util.Base64;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.core.StringRedisTemplate;

import dev.parley.support.ApiClient;
import dev.parley.support.IntegrationTest;
import dev.parley.support.TestServices;
import dev.parley.support.TestSocket;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A socket lives as long as its session: when the session expires (absolute limit or sliding
 * expiry) the socket is told and dropped within about a second, even though nobody revoked it;
 * a session whose expiry slid meanwhile keeps its socket. (Outliving the access token and
 * revocation across nodes: {@code TwoNodesTest}.)
 */
class SocketSessionLifetimeTest extends IntegrationTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    @Autowired
    StringRedisTemplate redis;

    private static String sessionKey(TestUser u) {
        var claims = ApiClient.json().readTree(Base64.getUrlDecoder().decode(u.accessToken().split("\\.")[1]));
        return TestServices.redisPrefix() + "session:" + claims.get("sid").asString();
    }

    @Test
    void aSocketIsDroppedWhenItsSessionReachesItsAbsoluteExpiry() {
        var ann = signUp("Ann");
        var phone = login("Ann", ann.email(), PASSWORD, "Android", "App");
        long end = System.currentTimeMillis() + 6000; // long enough to connect on a loaded machine
        redis.opsForHash().put(sessionKey(phone), "absExp", Long.toString(end));
        try (var laptop = TestSocket.connectAs(socketPort(), ann); var p = TestSocket.connectAs(socketPort(), phone)) {
            p.await("user:invalid_token", Duration.ofSeconds(15));
            assertThat(System.currentTimeMillis()).as("not before the session ended").isGreaterThanOrEqualTo(end);
            p.awaitDisconnected(Duration.ofSeconds(2));
            // the other session's socket stays, and still gets events
            long m = api.post("/api/message/" + ann.id(), Map.of("message", "note"), ann.accessToken()).data().get("messageID").asLong();
            laptop.await("user:new_message", e -> e.get("messageID").asLong() == m, WAIT);
            assertThat(laptop.events("user:invalid_token")).isEmpty();
        }
    }

    @Test
    void aSocketFollowsItsSessionsSlidingExpiry() {
        var ann = signUp("Ann");
        var idle = login("Ann", ann.email(), PASSWORD, "Android", "App");
        var busy = login("Ann", ann.email(), PASSWORD, "Linux", "Firefox");
        // both would expire in a few seconds (long enough to connect on a loaded machine)
        redis.expire(sessionKey(idle), Duration.ofSeconds(8)); // idle: the key expires
        redis.expire(sessionKey(busy), Duration.ofSeconds(8));
        try (var i = TestSocket.connectAs(socketPort(), idle); var b = TestSocket.connectAs(socketPort(), busy)) {
            redis.expire(sessionKey(busy), Duration.ofMinutes(5)); // busy: used meanwhile, its expiry slid
            i.await("user:invalid_token", Duration.ofSeconds(15));
            i.awaitDisconnected(Duration.ofSeconds(2));
            long m = api.post("/api/message/" + ann.id(), Map.of("message", "still here?"), ann.accessToken()).data().get("messageID").asLong();
            b.await("user:new_message", e -> e.get("messageID").asLong() == m, WAIT);
            assertThat(b.events("user:invalid_token")).isEmpty();
            assertThat(b.isDisconnected()).isFalse();
        }
    }
}
