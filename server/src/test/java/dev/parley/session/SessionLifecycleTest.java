package dev.parley.session;

import java.util.Map;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.core.StringRedisTemplate;

import dev.parley.support.IntegrationTest;
import dev.parley.support.TestServices;

import static org.assertj.core.api.Assertions.assertThat;

class SessionLifecycleTest extends IntegrationTest {
    @Autowired
    StringRedisTemplate redis;

    @Test
    void threeDevicesListRevokeOneThenRevokeOthers() {
        TestUser phone = signUp("Dana");
        TestUser laptop = login("Dana", phone.email(), PASSWORD, "macOS", "Safari");
        TestUser tablet = login("Dana", phone.email(), PASSWORD, "Android", "Chrome");

        var list = api.get("/api/session", laptop.accessToken());
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.data()).hasSize(3);
        var current = list.data().valueStream().filter(s -> s.get("current").asBoolean()).toList();
        assertThat(current).hasSize(1);
        assertThat(current.getFirst().get("os").asString()).isEqualTo("macOS");
        assertThat(current.getFirst().get("browser").asString()).isEqualTo("Safari");
        assertThat(current.getFirst().get("ip").asString()).isEqualTo("127.0.0.1");
        assertThat(current.getFirst().get("createdAt").asString()).matches("\\d{4}-\\d\\d-\\d\\dT.*(Z|[+-]\\d\\d:\\d\\d)");
        assertThat(current.getFirst().has("lastUsedAt")).isTrue();
        assertThat(current.getFirst().has("online")).isTrue();

        String tabletSid = list.data().valueStream()
                .filter(s -> s.get("os").asString().equals("Android")).findFirst().orElseThrow()
                .get("sessionID").asString();
        assertThat(api.get("/api/user/me", tablet.accessToken()).status()).isEqualTo(200); // now remembered as checked
        assertThat(api.delete("/api/session/" + tabletSid, null, laptop.accessToken()).status()).isEqualTo(200);

        // The revoked session's access and refresh tokens die at once.
        assertThat(api.get("/api/user/me", tablet.accessToken()).status()).isEqualTo(401);
        var refresh = api.post("/api/auth/refresh-token", Map.of("userID", tablet.id(), "refreshToken", tablet.refreshToken(),
                "os", "Android", "browser", "Chrome"));
        assertThat(refresh.status()).isEqualTo(401);
        assertThat(refresh.message()).isEqualTo("Refresh token verify failed");
        assertThat(api.get("/api/session", laptop.accessToken()).data()).hasSize(2);

        assertThat(api.get("/api/user/me", phone.accessToken()).status()).isEqualTo(200);
        assertThat(api.delete("/api/session?scope=others", null, laptop.accessToken()).status()).isEqualTo(200);
        assertThat(api.get("/api/user/me", phone.accessToken()).status()).isEqualTo(401);
        var remaining = api.get("/api/session", laptop.accessToken()).data();
        assertThat(remaining).hasSize(1);
        assertThat(remaining.get(0).get("current").asBoolean()).isTrue();
    }

    @Test
    void cannotRevokeSomeoneElsesSession() {
        TestUser erin = signUp("Erin");
        TestUser frank = signUp("Frank");
        String frankSid = api.get("/api/session", frank.accessToken()).data().get(0).get("sessionID").asString();
        var r = api.delete("/api/session/" + frankSid, null, erin.accessToken());
        assertThat(r.status()).isEqualTo(400);
        assertThat(api.get("/api/user/me", frank.accessToken()).status()).isEqualTo(200);
        assertThat(api.delete("/api/session", null, erin.accessToken()).status()).isEqualTo(400); // scope required
    }

    @Test
    void logoutEndsOnlyTheCallingSession() {
        TestUser a = signUp("Gina");
        TestUser b = login("Gina", a.email(), PASSWORD, "Windows", "Edge");
        assertThat(api.post("/api/auth/logout", null, a.accessToken()).status()).isEqualTo(200);
        assertThat(api.get("/api/user/me", a.accessToken()).status()).isEqualTo(401);
        assertThat(api.get("/api/user/me", b.accessToken()).status()).isEqualTo(200);
        assertThat(api.post("/api/auth/logout", null, null).status()).isEqualTo(401);
    }

    @Test
    void theLeastRecentlyUsedSessionIsEvictedBeyondTheCap() {
        TestUser oldest = signUp("Hank");
        TestUser secondOldest = login("Hank", oldest.email(), PASSWORD, "Linux", "Second");
        for (int i = 0; i < 8; i++) login("Hank", oldest.email(), PASSWORD, "Linux", "Device " + i); // 10 now
        // the oldest session is used (a refresh is a use): the second oldest is now the least recently used
        var used = api.post("/api/auth/refresh-token", Map.of("userID", oldest.id(), "refreshToken", oldest.refreshToken(),
                "os", "Linux", "browser", "Firefox"));
        assertThat(used.status()).isEqualTo(200);
        TestUser last = login("Hank", oldest.email(), PASSWORD, "Linux", "Last");
        assertThat(api.get("/api/user/me", secondOldest.accessToken()).status()).isEqualTo(401);
        assertThat(api.get("/api/user/me", used.data().get("accessToken").asString()).status()).isEqualTo(200);
        var browsers = api.get("/api/session", last.accessToken()).data().valueStream().map(x -> x.get("browser").asString()).toList();
        assertThat(browsers).hasSize(10).contains("Firefox", "Last").doesNotContain("Second");
    }

    @Test
    void usingASessionSlidesItsExpiry() {
        TestUser u = signUp("Ivy");
        TestUser device = login("Ivy", u.email(), PASSWORD, "Linux", "Idle"); // its access token is not used yet
        String sid = api.get("/api/session", u.accessToken()).data().valueStream()
                .filter(x -> x.get("browser").asString().equals("Idle")).findFirst().orElseThrow().get("sessionID").asString();
        String key = TestServices.redisPrefix() + "session:" + sid;
        // make the session look idle: last used 11 s ago (past the write throttle), one hour left
        long before = System.currentTimeMillis() - 11_000;
        redis.opsForHash().put(key, "lastUsedAt", Long.toString(before));
        redis.expire(key, Duration.ofHours(1));

        assertThat(api.get("/api/user/me", device.accessToken()).status()).isEqualTo(200);
        assertThat(redis.getExpire(key)).isGreaterThan(Duration.ofDays(30).minusMinutes(1).toSeconds());
        assertThat(Long.parseLong((String) redis.opsForHash().get(key, "lastUsedAt"))).isGreaterThan(before + 10_000);
        var listed = api.get("/api/session", u.accessToken()).data().valueStream()
                .filter(x -> x.get("sessionID").asString().equals(sid)).findFirst().orElseThrow();
        assertThat(java.time.OffsetDateTime.parse(listed.get("lastUsedAt").asString()).toInstant())
                .isAfter(java.time.Instant.ofEpochMilli(before + 10_000));

        // a refresh is a use too
        redis.expire(key, Duration.ofHours(1));
        assertThat(api.post("/api/auth/refresh-token", Map.of("userID", u.id(), "refreshToken", device.refreshToken(),
                "os", "Linux", "browser", "Idle")).status()).isEqualTo(200);
        assertThat(redis.getExpire(key)).isGreaterThan(Duration.ofDays(30).minusMinutes(1).toSeconds());
    }

    @Test
    void missingMalformedAndForgedTokensAre401() {
        assertThat(api.get("/api/user/me").status()).isEqualTo(401);
        assertThat(api.get("/api/user/me", "not-a-jwt").status()).isEqualTo(401);
        var raw = api.sendRaw("GET", "/api/user/me", null, null, "application/json");
        assertThat(raw.status()).isEqualTo(401);
        // A token signed with another key.
        String forged = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIiwidXNlcklEIjoxLCJzaWQiOiJ4IiwiZXhwIjo5OTk5OTk5OTk5fQ."
                + "c2lnbmF0dXJlLXRoYXQtZG9lcy1ub3QtbWF0Y2g";
        var r = api.get("/api/user/me", forged);
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.body().get("statusCode").asInt()).isEqualTo(401);
        assertThat(r.body().get("error").asString()).isEqualTo("Unauthorized");
    }

    @Autowired
    SessionStore store;

    @Test
    void aLoginWhoseCredentialsWereCheckedBeforeARevokeAllGetsNoSession() {
        TestUser u = signUp("Jude");
        long checkedAt = System.currentTimeMillis() - 50;
        store.revokeAll(u.id()); // e.g. a password change landing between check and session creation
        assertThat(store.create(u.id(), "os", "browser", "127.0.0.1", checkedAt)).isEmpty();
        assertThat(store.list(u.id())).isEmpty();
        assertThat(store.create(u.id(), "os", "browser", "127.0.0.1", System.currentTimeMillis() + 5)).isPresent();
    }

    @Test
    void sessionsSlideWithinAnAbsoluteLimitAndLiveOnlyInRedis() {
        TestUser u = signUp("Iris");
        String sid = api.get("/api/session", u.accessToken()).data().get(0).get("sessionID").asString();
        String key = TestServices.redisPrefix() + "session:" + sid;
        assertThat(redis.getExpire(key)).isBetween(Duration.ofDays(30).minusMinutes(1).toSeconds(), Duration.ofDays(30).toSeconds());
        long absExp = Long.parseLong((String) redis.opsForHash().get(key, "absExp"));
        assertThat(absExp - System.currentTimeMillis()).isBetween(Duration.ofDays(89).toMillis(), Duration.ofDays(90).toMillis());
        // the stored refresh state is a hash, never the token itself
        assertThat(redis.opsForHash().values(key).toString()).doesNotContain(u.refreshToken().substring(u.refreshToken().indexOf('.') + 1));

        // past the absolute expiry the session is dead even though the key still exists: refused at once
        // by refresh, and by requests once this node's memory of the last successful check ends
        // (parley.auth.session-check-cache-ttl: 5 s in the tests, 1 s by default)
        redis.opsForHash().put(key, "absExp", Long.toString(System.currentTimeMillis() - 1));
        org.awaitility.Awaitility.await().atMost(Duration.ofMillis(6500)).pollInterval(Duration.ofMillis(200))
                .until(() -> api.get("/api/user/me", u.accessToken()).status() == 401);
        assertThat(api.post("/api/auth/refresh-token", java.util.Map.of("userID", u.id(), "refreshToken", u.refreshToken())).status()).isEqualTo(401);
    }
}
