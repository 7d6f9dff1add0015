package dev.parley.auth;

import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.parley.support.IntegrationTest;

import static org.assertj.core.api.Assertions.assertThat;

class LoginFlowTest extends IntegrationTest {

    @Test
    void registerConfirmByEmailLinkThenLogin() {
        String email = uniqueEmail("alice");
        var reg = api.post("/api/user", Map.of("name", "Alice", "email", email, "password", PASSWORD));
        assertThat(reg.status()).isEqualTo(200);
        assertThat(reg.body().get("statusCode").asInt()).isEqualTo(200);

        var early = api.post("/api/auth/login", Map.of("email", email, "password", PASSWORD, "os", "Linux", "browser", "Firefox"));
        assertThat(early.status()).isEqualTo(401);
        assertThat(early.message()).isEqualTo("You need to confirm your email");
        assertThat(early.body().get("error").asString()).isEqualTo("Unauthorized");

        var link = awaitLink(email, "confirm-email");
        assertThat(link.url()).startsWith("http://localhost:5173/email/confirm-email?id=" + link.userId() + "&token=");
        assertThat(link.token().length()).isGreaterThanOrEqualTo(43); // 256 bits, base64url
        assertThat(api.get("/api/email/confirm-email?id=" + link.userId() + "&token=" + link.token()).status()).isEqualTo(200);
        // single use
        var again = api.get("/api/email/confirm-email?id=" + link.userId() + "&token=" + link.token());
        assertThat(again.status()).isEqualTo(400);
        assertThat(again.message()).isEqualTo("Invalid confirm email link");

        var login = api.post("/api/auth/login", Map.of("email", email.toUpperCase(), "password", PASSWORD, "os", "Linux", "browser", "Firefox"));
        assertThat(login.status()).isEqualTo(200);
        assertThat(login.data().get("userID").asLong()).isEqualTo(link.userId());
        String access = login.data().get("accessToken").asString();
        assertThat(access.split("\\.")).hasSize(3);
        assertThat(login.data().get("refreshToken").asString().length()).isGreaterThanOrEqualTo(43);

        var me = api.get("/api/user/me", access);
        assertThat(me.status()).isEqualTo(200);
        assertThat(me.data().get("id").asLong()).isEqualTo(link.userId());
        assertThat(me.data().get("name").asString()).isEqualTo("Alice");
        assertThat(me.data().get("email").asString()).isEqualTo(email);
        assertThat(me.data().get("bio").asString()).isEmpty();
    }

    @Test
    void unknownEmailAndWrongPasswordGetTheSameAnswer() {
        var user = signUp("Bob");
        var wrong = api.post("/api/auth/login", Map.of("email", user.email(), "password", "not the password", "os", "a", "browser", "b"));
        var unknown = api.post("/api/auth/login", Map.of("email", uniqueEmail("nobody"), "password", "whatever123", "os", "a", "browser", "b"));
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(unknown.status()).isEqualTo(401);
        assertThat(wrong.body()).isEqualTo(unknown.body());
        assertThat(wrong.message()).isEqualTo("Invalid password or email");
    }

    @Test
    void unconfirmedAccountWithWrongPasswordLooksLikeAnyWrongPassword() {
        String email = uniqueEmail("carol");
        api.post("/api/user", Map.of("name", "Carol", "email", email, "password", PASSWORD));
        var r = api.post("/api/auth/login", Map.of("email", email, "password", "wrong-password", "os", "a", "browser", "b"));
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.message()).isEqualTo("Invalid password or email");
    }

    @Test
    void loginValidation() {
        var missing = api.post("/api/auth/login", Map.of("password", PASSWORD));
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.message()).isEqualTo("email is required");
        var notJson = api.sendRaw("POST", "/api/auth/login", "{nope", null, "application/json");
        assertThat(notJson.status()).isEqualTo(400);
        assertThat(notJson.body().get("statusCode").asInt()).isEqualTo(400);
        var wrongType = api.sendRaw("POST", "/api/auth/login", "{\"email\":{\"a\":1},\"password\":\"x\"}", null, "application/json");
        assertThat(wrongType.status()).isEqualTo(400);
    }
}
