package dev.parley.user;

import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.parley.support.IntegrationTest;

import static org.assertj.core.api.Assertions.assertThat;

class UserEndpointsTest extends IntegrationTest {

    @Test
    void registrationValidatesEveryField() {
        String email = uniqueEmail("val");
        assertError(api.post("/api/user", Map.of("name", "A", "email", email, "password", PASSWORD)), 400, "name must be 2-20 characters");
        assertError(api.post("/api/user", Map.of("name", "A".repeat(21), "email", email, "password", PASSWORD)), 400, "name must be 2-20 characters");
        assertError(api.post("/api/user", Map.of("name", "Valid", "email", "no-at", "password", PASSWORD)), 400, "email must be a valid email address");
        assertError(api.post("/api/user", Map.of("name", "Valid", "email", "a".repeat(250) + "@x.io", "password", PASSWORD)), 400, "email must be 1-254 characters");
        assertError(api.post("/api/user", Map.of("name", "Valid", "email", email, "password", "short")), 400, "password must be 8-100 characters");
        assertError(api.post("/api/user", Map.of("name", "Valid", "email", email, "password", "x".repeat(101))), 400, "password must be 8-100 characters");
        assertError(api.post("/api/user", Map.of("email", email, "password", PASSWORD)), 400, "name is required");
        // nothing was created by any of these
        assertThat(api.post("/api/user/check-email", Map.of("email", email)).status()).isEqualTo(200);
        // a long multi-byte password (over bcrypt's 72 bytes) works
        String longPassword = "пароль".repeat(16);
        assertThat(api.post("/api/user", Map.of("name", "Valid", "email", email, "password", longPassword)).status()).isEqualTo(200);
    }

    @Test
    void duplicateEmailIsRefusedCaseInsensitively() {
        TestUser a = signUp("Tara");
        var dup = api.post("/api/user", Map.of("name", "Other", "email", a.email().toUpperCase(), "password", PASSWORD));
        assertError(dup, 400, "Email " + a.email().toUpperCase() + " already in use");
        assertError(api.post("/api/user/check-email", Map.of("email", a.email())), 400, "Email already in use");
        assertThat(api.post("/api/user/check-email", Map.of("email", uniqueEmail("free"))).status()).isEqualTo(200);
        assertThat(api.post("/api/user/check-email", Map.of()).status()).isEqualTo(400);
    }

    @Test
    void isExistAndName() {
        TestUser a = signUp("Uma");
        assertThat(api.get("/api/user/is-exist?user-id=" + a.id()).data().asBoolean()).isTrue();
        assertThat(api.get("/api/user/is-exist?user-id=999999999").data().asBoolean()).isFalse();
        assertThat(api.get("/api/user/is-exist?user-id=abc").status()).isEqualTo(400);
        assertThat(api.get("/api/user/is-exist?user-id=-1").status()).isEqualTo(400);
        assertThat(api.get("/api/user/is-exist").status()).isEqualTo(400);
        assertThat(api.get("/api/user/" + a.id() + "/name").data().asString()).isEqualTo("Uma");
        assertError(api.get("/api/user/999999999/name"), 400, "User not found");
        assertThat(api.get("/api/user/0/name").status()).isEqualTo(400);
        assertThat(api.get("/api/user/x1/name").status()).isEqualTo(400);
    }

    @Test
    void searchIsCaseInsensitiveSubstringExcludingCallerAndDeleted() {
        String tag = "Zq" + Long.toString(System.nanoTime() % 100000, 36);
        TestUser me = signUp(tag + "me");
        TestUser x = signUp("x" + tag.toLowerCase() + "y");
        TestUser y = signUp(tag.toUpperCase() + "two");
        TestUser gone = signUp(tag + "gone");
        assertThat(api.delete("/api/user", Map.of("password", PASSWORD), gone.accessToken()).status()).isEqualTo(200);

        var hits = api.post("/api/user/search", Map.of("name", tag.toLowerCase()), me.accessToken());
        assertThat(hits.status()).isEqualTo(200);
        assertThat(hits.data().valueStream().map(h -> h.get("id").asLong()).toList()).containsExactlyInAnyOrder(x.id(), y.id());
        assertThat(hits.data().get(0).has("name")).isTrue();
        assertThat(api.post("/api/user/search", Map.of("name", ""), me.accessToken()).data()).isEmpty();
        // LIKE wildcards are matched literally
        assertThat(api.post("/api/user/search", Map.of("name", "%"), me.accessToken()).data()).isEmpty();
        assertThat(api.post("/api/user/search", Map.of("name", "_"), me.accessToken()).data()).isEmpty();
        assertThat(api.post("/api/user/search", Map.of("name", "x"), null).status()).isEqualTo(401);
    }

    @Test
    void profileChanges() {
        TestUser a = signUp("Vera");
        assertThat(api.post("/api/user/change/name", Map.of("newName", "Vera K"), a.accessToken()).status()).isEqualTo(200);
        assertError(api.post("/api/user/change/name", Map.of("newName", "V"), a.accessToken()), 400, "newName must be 2-20 characters");
        assertThat(api.post("/api/user/change/bio", Map.of("newBio", "Hello there"), a.accessToken()).status()).isEqualTo(200);
        assertError(api.post("/api/user/change/bio", Map.of("newBio", "b".repeat(101)), a.accessToken()), 400, "newBio must be at most 100 characters");
        var me = api.get("/api/user/me", a.accessToken()).data();
        assertThat(me.get("name").asString()).isEqualTo("Vera K");
        assertThat(me.get("bio").asString()).isEqualTo("Hello there");
        assertThat(api.post("/api/user/change/bio", Map.of("newBio", ""), a.accessToken()).status()).isEqualTo(200);
        assertThat(api.get("/api/user/me", a.accessToken()).data().get("bio").asString()).isEmpty();
        assertThat(api.post("/api/user/change/name", Map.of("newName", "Nope"), null).status()).isEqualTo(401);
    }

    @Test
    void deletingTheAccountAnonymisesItAndFreesTheEmail() {
        TestUser a = signUp("Walt");
        TestUser second = login("Walt", a.email(), PASSWORD, "Android", "App");
        assertThat(api.delete("/api/user", Map.of("password", "wrong password"), a.accessToken()).status()).isEqualTo(401);
        assertThat(api.delete("/api/user", Map.of(), a.accessToken()).status()).isEqualTo(400);
        assertThat(api.delete("/api/user", Map.of("password", PASSWORD), a.accessToken()).status()).isEqualTo(200);
        assertThat(api.get("/api/user/me", a.accessToken()).status()).isEqualTo(401);
        assertThat(api.get("/api/user/me", second.accessToken()).status()).isEqualTo(401);
        assertThat(api.get("/api/user/" + a.id() + "/name").data().asString()).isEqualTo("Deleted account");
        assertThat(api.get("/api/user/is-exist?user-id=" + a.id()).data().asBoolean()).isFalse();
        assertThat(api.post("/api/auth/login", Map.of("email", a.email(), "password", PASSWORD)).status()).isEqualTo(401);
        assertThat(api.post("/api/user/check-email", Map.of("email", a.email())).status()).isEqualTo(200);
        assertThat(api.post("/api/user", Map.of("name", "Walt", "email", a.email(), "password", PASSWORD)).status()).isEqualTo(200);
    }

    private static void assertError(dev.parley.support.ApiClient.Response r, int status, String message) {
        assertThat(r.status()).as(r.body().toString()).isEqualTo(status);
        assertThat(r.body().get("statusCode").asInt()).isEqualTo(status);
        assertThat(r.message()).isEqualTo(message);
        assertThat(r.body().has("error")).isTrue();
    }
}
