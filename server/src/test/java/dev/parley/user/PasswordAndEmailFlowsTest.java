package dev.parley.user;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.core.StringRedisTemplate;

import dev.parley.support.IntegrationTest;
import dev.parley.support.TestServices;

import static org.assertj.core.api.Assertions.assertThat;

class PasswordAndEmailFlowsTest extends IntegrationTest {
    @Autowired
    StringRedisTemplate redis;

    @Test
    void changingThePasswordRevokesEverySession() {
        TestUser a = signUp("Olga");
        TestUser other = login("Olga", a.email(), PASSWORD, "iOS", "Safari");
        var wrong = api.post("/api/user/change/password", Map.of("oldPassword", "nope-nope", "newPassword", "brand new pass"), a.accessToken());
        assertThat(wrong.status()).isEqualTo(401);
        var tooShort = api.post("/api/user/change/password", Map.of("oldPassword", PASSWORD, "newPassword", "short"), a.accessToken());
        assertThat(tooShort.status()).isEqualTo(400);
        assertThat(tooShort.message()).isEqualTo("newPassword must be 8-100 characters");
        assertThat(api.get("/api/user/me", a.accessToken()).status()).isEqualTo(200);

        var ok = api.post("/api/user/change/password", Map.of("oldPassword", PASSWORD, "newPassword", "brand new pass"), a.accessToken());
        assertThat(ok.status()).isEqualTo(200);
        assertThat(api.get("/api/user/me", a.accessToken()).status()).isEqualTo(401);
        assertThat(api.get("/api/user/me", other.accessToken()).status()).isEqualTo(401);
        assertThat(api.post("/api/auth/login", Map.of("email", a.email(), "password", PASSWORD)).status()).isEqualTo(401);
        login("Olga", a.email(), "brand new pass", "iOS", "Safari");
    }

    @Test
    void pendingEmailLinksDieWithAPasswordChange() {
        TestUser a = signUp("Yara");
        String attackerEmail = uniqueEmail("attacker");
        api.post("/api/user/change/email", Map.of("password", PASSWORD, "newEmail", attackerEmail), a.accessToken());
        var change = awaitLink(attackerEmail, "change-email");
        api.post("/api/user/reset-password", Map.of("email", a.email()));
        var reset = awaitLink(a.email(), "reset-password");
        assertThat(api.post("/api/user/change/password", Map.of("oldPassword", PASSWORD, "newPassword", "fresh password"), a.accessToken()).status()).isEqualTo(200);
        assertThat(api.get("/api/email/change-email?id=" + a.id() + "&token=" + change.token()).status()).isEqualTo(401);
        assertThat(api.post("/api/email/reset-password?id=" + a.id() + "&token=" + reset.token(), Map.of("newPassword", "attacker pass")).status()).isEqualTo(401);
        login("Yara", a.email(), "fresh password", "Linux", "Firefox");
    }

    @Test
    void passwordResetLinkIsSingleUseAndRevokesSessions() {
        TestUser a = signUp("Pete");
        var unknown = api.post("/api/user/reset-password", Map.of("email", uniqueEmail("ghost")));
        var known = api.post("/api/user/reset-password", Map.of("email", a.email()));
        assertThat(unknown.status()).isEqualTo(200);
        assertThat(known.status()).isEqualTo(200);
        assertThat(known.body()).isEqualTo(unknown.body());

        var link = awaitLink(a.email(), "reset-password");
        String path = "/api/email/reset-password?id=" + link.userId() + "&token=" + link.token();
        var badPassword = api.post(path, Map.of("newPassword", "short"));
        assertThat(badPassword.status()).isEqualTo(400);
        var wrongToken = api.post("/api/email/reset-password?id=" + link.userId() + "&token=x" + link.token(), Map.of("newPassword", "another password"));
        assertThat(wrongToken.status()).isEqualTo(401);
        assertThat(wrongToken.message()).isEqualTo("Invalid reset password link");
        var wrongId = api.post("/api/email/reset-password?id=abc&token=" + link.token(), Map.of("newPassword", "another password"));
        assertThat(wrongId.status()).isEqualTo(401);

        assertThat(api.post(path, Map.of("newPassword", "another password")).status()).isEqualTo(200);
        assertThat(api.get("/api/user/me", a.accessToken()).status()).isEqualTo(401);
        assertThat(api.post(path, Map.of("newPassword", "third password")).status()).isEqualTo(401);
        login("Pete", a.email(), "another password", "Linux", "Firefox");
    }

    @Test
    void emailLinksExpire() {
        TestUser a = signUp("Quinn");
        api.post("/api/user/reset-password", Map.of("email", a.email()));
        var link = awaitLink(a.email(), "reset-password");
        String key = TestServices.redisPrefix() + "email-token:reset_password:" + a.id();
        Long ttl = redis.getExpire(key);
        assertThat(ttl).isBetween(Duration.ofHours(23).toSeconds(), Duration.ofHours(24).toSeconds());
        redis.expire(key, Duration.ofMillis(1)); // let the 24 hours pass
        await(() -> !Boolean.TRUE.equals(redis.hasKey(key)));
        var r = api.post("/api/email/reset-password?id=" + a.id() + "&token=" + link.token(), Map.of("newPassword", "another password"));
        assertThat(r.status()).isEqualTo(401);
    }

    @Test
    void changeEmailSendsASingleUseLinkToTheNewAddress() {
        TestUser a = signUp("Rosa");
        TestUser b = signUp("Sam");
        String newEmail = uniqueEmail("rosa-new");
        assertThat(api.post("/api/user/change/email", Map.of("password", "wrong pass", "newEmail", newEmail), a.accessToken()).status()).isEqualTo(401);
        var taken = api.post("/api/user/change/email", Map.of("password", PASSWORD, "newEmail", b.email().toUpperCase()), a.accessToken());
        assertThat(taken.status()).isEqualTo(400);
        assertThat(taken.message()).isEqualTo("Email already in use");
        assertThat(api.post("/api/user/change/email", Map.of("password", PASSWORD, "newEmail", "no-at-sign"), a.accessToken()).status()).isEqualTo(400);

        assertThat(api.post("/api/user/change/email", Map.of("password", PASSWORD, "newEmail", newEmail), a.accessToken()).status()).isEqualTo(200);
        var link = awaitLink(newEmail, "change-email");
        assertThat(link.userId()).isEqualTo(a.id());
        var bad = api.get("/api/email/change-email?id=" + a.id() + "&token=nope");
        assertThat(bad.status()).isEqualTo(401);
        assertThat(bad.message()).isEqualTo("Invalid change email link");
        assertThat(api.get("/api/email/change-email?id=" + a.id() + "&token=" + link.token()).status()).isEqualTo(200);
        assertThat(api.get("/api/email/change-email?id=" + a.id() + "&token=" + link.token()).status()).isEqualTo(401);

        assertThat(api.get("/api/user/me", a.accessToken()).data().get("email").asString()).isEqualTo(newEmail);
        login("Rosa", newEmail, PASSWORD, "Linux", "Firefox");
        assertThat(api.post("/api/auth/login", Map.of("email", a.email(), "password", PASSWORD)).status()).isEqualTo(401);
        // the old address is free again
        assertThat(api.post("/api/user/check-email", Map.of("email", a.email())).status()).isEqualTo(200);
    }

    private static void await(java.util.function.BooleanSupplier condition) {
        long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) throw new AssertionError("condition not met in 5 s");
            try { Thread.sleep(10); } catch (InterruptedException e) { Thread.currentThread().interrupt(); }
        }
    }
}
