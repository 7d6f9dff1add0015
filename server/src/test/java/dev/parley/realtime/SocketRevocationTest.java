package dev.parley.realtime;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import dev.parley.auth.AccessTokenService;
import dev.parley.platform.ParleyProperties;
import dev.parley.platform.ServerSecret;
import dev.parley.support.IntegrationTest;
import dev.parley.support.TestSocket;
import dev.parley.support.TestSocket.Auth;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every way a session ends reaches its live sockets: {@code user:invalid_token}, then disconnect.
 * Sockets of sessions that live on stay connected; a note to self, sent after the revocation, is
 * the marker that proves they were not told anything.
 */
class SocketRevocationTest extends IntegrationTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    @Autowired
    ParleyProperties props;
    @Autowired
    ServerSecret serverSecret;

    private static void assertToldAndDropped(TestSocket s) {
        s.await("user:invalid_token", WAIT);
        s.awaitDisconnected(WAIT);
    }

    /** Sends a note to self with {@code token}'s user and checks {@code s} got it and nothing else ended it. */
    private void assertStillLive(TestSocket s, TestUser user, String token) {
        var r = api.post("/api/message/" + user.id(), Map.of("message", "marker"), token);
        assertThat(r.status()).isEqualTo(200);
        long note = r.data().get("messageID").asLong();
        s.await("user:new_message", p -> p.get("messageID").asLong() == note, WAIT);
        assertThat(s.events("user:invalid_token")).isEmpty();
        assertThat(s.isDisconnected()).isFalse();
    }

    private String sessionIdOf(TestUser user, String browser) {
        return api.get("/api/session", user.accessToken()).data().valueStream()
                .filter(s -> s.get("browser").asString().equals(browser)).findFirst().orElseThrow()
                .get("sessionID").asString();
    }

    @Test
    void logoutEndsOnlyTheCallingSessionsSockets() {
        var laptop = signUp("Lou");
        var phone = login("Lou", laptop.email(), PASSWORD, "Android", "Phone");
        try (var onLaptop = TestSocket.connectAs(socketPort(), laptop); var onPhone = TestSocket.connectAs(socketPort(), phone)) {
            assertThat(api.post("/api/auth/logout", null, phone.accessToken()).status()).isEqualTo(200);
            assertToldAndDropped(onPhone);
            assertStillLive(onLaptop, laptop, laptop.accessToken());
        }
    }

    @Test
    void revokingOthersEndsTheirSocketsButNotTheCallers() {
        var laptop = signUp("Oto");
        var phone = login("Oto", laptop.email(), PASSWORD, "Android", "Phone");
        var tablet = login("Oto", laptop.email(), PASSWORD, "iOS", "Tablet");
        try (var onLaptop = TestSocket.connectAs(socketPort(), laptop); var onPhone = TestSocket.connectAs(socketPort(), phone);
             var onTablet = TestSocket.connectAs(socketPort(), tablet)) {
            assertThat(api.delete("/api/session?scope=others", null, laptop.accessToken()).status()).isEqualTo(200);
            assertToldAndDropped(onPhone);
            assertToldAndDropped(onTablet);
            assertStillLive(onLaptop, laptop, laptop.accessToken());
        }
    }

    @Test
    void changingThePasswordEndsEverySocketOfTheUserOnly() {
        var pat = signUp("Pat");
        var phone = login("Pat", pat.email(), PASSWORD, "Android", "Phone");
        var other = signUp("Quin");
        try (var a = TestSocket.connectAs(socketPort(), pat); var b = TestSocket.connectAs(socketPort(), phone);
             var bystander = TestSocket.connectAs(socketPort(), other)) {
            var r = api.post("/api/user/change/password", Map.of("oldPassword", PASSWORD, "newPassword", "another good one"), pat.accessToken());
            assertThat(r.status()).isEqualTo(200);
            assertToldAndDropped(a);
            assertToldAndDropped(b);
            assertStillLive(bystander, other, other.accessToken());
        }
    }

    @Test
    void deletingTheAccountEndsEverySocket() {
        var rae = signUp("Rae");
        var phone = login("Rae", rae.email(), PASSWORD, "Android", "Phone");
        try (var a = TestSocket.connectAs(socketPort(), rae); var b = TestSocket.connectAs(socketPort(), phone)) {
            assertThat(api.delete("/api/user", Map.of("password", PASSWORD), rae.accessToken()).status()).isEqualTo(200);
            assertToldAndDropped(a);
            assertToldAndDropped(b);
        }
    }

    @Test
    void refreshTokenReuseEndsThatSessionsSockets() {
        var laptop = signUp("Sam");
        var phone = login("Sam", laptop.email(), PASSWORD, "Android", "Phone");
        try (var onLaptop = TestSocket.connectAs(socketPort(), laptop); var onPhone = TestSocket.connectAs(socketPort(), phone)) {
            String t1 = refresh(phone, phone.refreshToken());
            refresh(phone, t1); // the first token is now two rotations old: presenting it is reuse at once
            var reuse = api.post("/api/auth/refresh-token", Map.of("userID", phone.id(), "refreshToken", phone.refreshToken(),
                    "os", "Android", "browser", "Phone"));
            assertThat(reuse.status()).isEqualTo(401);
            assertToldAndDropped(onPhone);
            assertStillLive(onLaptop, laptop, laptop.accessToken());
        }
    }

    private String refresh(TestUser user, String refreshToken) {
        var r = api.post("/api/auth/refresh-token", Map.of("userID", user.id(), "refreshToken", refreshToken,
                "os", "Android", "browser", "Phone"));
        assertThat(r.status()).isEqualTo(200);
        return r.data().get("refreshToken").asString();
    }

    @Test
    void aCorrectlySignedTokenOfARevokedSessionIsRefusedAtTheHandshake() {
        var tia = signUp("Tia");
        var phone = login("Tia", tia.email(), PASSWORD, "Android", "Phone");
        assertThat(api.delete("/api/session/" + sessionIdOf(tia, "Phone"), null, tia.accessToken()).status()).isEqualTo(200);
        for (Auth mode : new Auth[] {Auth.AUTH_PAYLOAD, Auth.QUERY}) {
            try (var s = TestSocket.open(socketPort(), phone.accessToken(), mode, true)) {
                s.emit("user:connect");
                assertToldAndDropped(s);
                assertThat(s.events("user:connect_success")).isEmpty();
            }
        }
        // the same user's live session still connects: it is the session that is refused, not the user
        try (var s = TestSocket.connectAs(socketPort(), tia)) {
            assertThat(s.events("user:connect_success")).hasSize(1);
        }
    }

    @Test
    void aCorrectlySignedButExpiredTokenIsRefusedAtTheHandshake() {
        var uma = signUp("Uma");
        String sid = sessionIdOf(uma, "Firefox");
        // signed with the server's own key by a clock an hour back: valid in every way but time
        var pastClock = Clock.fixed(Instant.now().minus(Duration.ofHours(1)), ZoneOffset.UTC);
        String expired = new AccessTokenService(props, serverSecret, pastClock).issue(uma.id(), sid);
        String fresh = new AccessTokenService(props, serverSecret, Clock.systemUTC()).issue(uma.id(), sid);
        assertThat(api.get("/api/user/me", expired).status()).isEqualTo(401);
        assertThat(api.get("/api/user/me", fresh).status()).isEqualTo(200); // the same claims, in time: accepted
        try (var s = TestSocket.open(socketPort(), expired, Auth.AUTH_PAYLOAD, true)) {
            s.emit("user:connect");
            assertToldAndDropped(s);
            assertThat(s.events("user:connect_success")).isEmpty();
        }
        try (var s = TestSocket.connectAs(socketPort(), fresh, Auth.AUTH_PAYLOAD, true)) {
            assertThat(s.events("user:connect_success")).hasSize(1);
        }
    }
}
