package dev.parley.session;

import java.time.Instant;
import java.util.Date;
import java.util.Map;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;

import dev.parley.support.ApiClient;
import dev.parley.support.IntegrationTest;
import dev.parley.support.TestServices;

import static org.assertj.core.api.Assertions.assertThat;

class RefreshTokenTest extends IntegrationTest {
    @Value("${parley.jwt.secret}")
    String secret;
    @org.springframework.beans.factory.annotation.Autowired
    org.springframework.data.redis.core.StringRedisTemplate redis;

    private ApiClient.Response refresh(TestUser user, String refreshToken) {
        return api.post("/api/auth/refresh-token", Map.of("userID", user.id(), "refreshToken", refreshToken,
                "os", "Linux", "browser", "Firefox"));
    }

    @Test
    void rotationIssuesANewPairAndTheNewAccessTokenWorks() {
        TestUser u = signUp("Ivy");
        var r = refresh(u, u.refreshToken());
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.data().get("userID").asLong()).isEqualTo(u.id());
        String newRefresh = r.data().get("refreshToken").asString();
        assertThat(newRefresh).isNotEqualTo(u.refreshToken());
        assertThat(api.get("/api/user/me", r.data().get("accessToken").asString()).status()).isEqualTo(200);
        // the new refresh token rotates again
        assertThat(refresh(u, newRefresh).status()).isEqualTo(200);
    }

    @Test
    void racingTabsWithTheJustRotatedTokenAllGetTheSameSuccessor() {
        TestUser u = signUp("Jack");
        var tabs = java.util.stream.IntStream.range(0, 3).mapToObj(i -> refresh(u, u.refreshToken())).toList();
        for (var tab : tabs) assertThat(tab.status()).isEqualTo(200);
        String successor = tabs.getFirst().data().get("refreshToken").asString();
        assertThat(tabs).allSatisfy(t -> assertThat(t.data().get("refreshToken").asString()).isEqualTo(successor));
        assertThat(tabs).allSatisfy(t -> assertThat(api.get("/api/user/me", t.data().get("accessToken").asString()).status()).isEqualTo(200));
        // whichever tab wrote storage last, the stored token is the one current token: it rotates on
        assertThat(refresh(u, successor).status()).isEqualTo(200);
    }

    @Test
    void theJustRotatedTokenIsReuseOnceItsGraceWindowHasPassed() {
        TestUser u = signUp("Jill");
        String t1 = refresh(u, u.refreshToken()).data().get("refreshToken").asString();
        String sid = t1.substring(0, t1.indexOf('.'));
        redis.opsForHash().put(TestServices.redisPrefix() + "session:" + sid, "rtPrevUntil", "0"); // 30 s pass
        var late = refresh(u, u.refreshToken());
        assertThat(late.status()).isEqualTo(401);
        assertThat(refresh(u, t1).status()).isEqualTo(401); // the session was revoked as stolen
    }

    @Test
    void reusingAnOlderRotatedTokenRevokesTheSession() {
        TestUser u = signUp("Kate");
        String t0 = u.refreshToken();
        String t1 = refresh(u, t0).data().get("refreshToken").asString();
        var r2 = refresh(u, t1);
        String access2 = r2.data().get("accessToken").asString();
        String t2 = r2.data().get("refreshToken").asString();
        refresh(u, t2); // t0 is now two rotations old, outside any grace
        var theft = refresh(u, t0);
        assertThat(theft.status()).isEqualTo(401);
        assertThat(theft.message()).isEqualTo("Refresh token verify failed");
        // the whole session is gone: its access token and every refresh token
        assertThat(api.get("/api/user/me", access2).status()).isEqualTo(401);
        assertThat(api.get("/api/user/me", u.accessToken()).status()).isEqualTo(401);
        assertThat(api.get("/api/session", login("Kate", u.email(), PASSWORD, "x", "y").accessToken()).data()).hasSize(1);
    }

    @Test
    void wrongUserGarbageAndMissingFieldsAreRefused() {
        TestUser u = signUp("Liam");
        TestUser other = signUp("Mona");
        var mismatch = api.post("/api/auth/refresh-token", Map.of("userID", other.id(), "refreshToken", u.refreshToken()));
        assertThat(mismatch.status()).isEqualTo(401);
        assertThat(refresh(u, "garbage").status()).isEqualTo(401);
        assertThat(refresh(u, u.refreshToken().substring(0, 30) + ".AAAA").status()).isEqualTo(401);
        assertThat(api.post("/api/auth/refresh-token", Map.of("refreshToken", u.refreshToken())).status()).isEqualTo(401);
        // none of that touched the real session
        assertThat(refresh(u, u.refreshToken()).status()).isEqualTo(200);
    }

    @Test
    void anExpiredAccessTokenIs401() throws Exception {
        TestUser u = signUp("Nina");
        String sid = api.get("/api/session", u.accessToken()).data().get(0).get("sessionID").asString();
        var claims = new JWTClaimsSet.Builder().subject(Long.toString(u.id())).claim("userID", u.id()).claim("sid", sid)
                .issueTime(Date.from(Instant.now().minusSeconds(120)))
                .expirationTime(Date.from(Instant.now().minusSeconds(1))).build();
        var jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
        jwt.sign(new MACSigner(secret.getBytes()));
        var r = api.get("/api/user/me", jwt.serialize());
        assertThat(r.status()).isEqualTo(401);
        // the same claims, not expired, are accepted: it really was the expiry
        var fresh = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), new JWTClaimsSet.Builder(claims)
                .expirationTime(Date.from(Instant.now().plusSeconds(60))).build());
        fresh.sign(new MACSigner(secret.getBytes()));
        assertThat(api.get("/api/user/me", fresh.serialize()).status()).isEqualTo(200);
    }
}
