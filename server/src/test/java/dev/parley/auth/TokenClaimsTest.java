package dev.parley.auth;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

import dev.parley.support.ApiClient;
import dev.parley.support.IntegrationTest;

import static org.assertj.core.api.Assertions.assertThat;

/** The access token's claims, as a third-party client decoding the JWT sees them. */
class TokenClaimsTest extends IntegrationTest {

    private static JsonNode part(String jwt, int index) {
        String[] parts = jwt.split("\\.");
        assertThat(parts).hasSize(3);
        return ApiClient.json().readTree(new String(Base64.getUrlDecoder().decode(parts[index]), StandardCharsets.UTF_8));
    }

    @Test
    void accessTokensCarrySubAsStringUserIdAsNumberSidIatAndExp() {
        var vic = signUp("Vic");
        var refreshed = api.post("/api/auth/refresh-token", Map.of("userID", vic.id(), "refreshToken", vic.refreshToken(),
                "os", "Linux", "browser", "Firefox")).data().get("accessToken").asString();
        String sid = api.get("/api/session", vic.accessToken()).data().get(0).get("sessionID").asString();
        for (String token : new String[] {vic.accessToken(), refreshed}) {
            assertThat(part(token, 0).get("alg").asString()).isEqualTo("HS256");
            var claims = part(token, 1);
            assertThat(claims.get("sub").isString()).as("sub is a string").isTrue();
            assertThat(claims.get("sub").asString()).isEqualTo(Long.toString(vic.id()));
            assertThat(claims.get("userID").isIntegralNumber()).as("userID is a number").isTrue();
            assertThat(claims.get("userID").asLong()).isEqualTo(vic.id());
            assertThat(claims.get("sid").asString()).isEqualTo(sid);
            assertThat(claims.get("iat").isIntegralNumber()).isTrue();
            assertThat(claims.get("exp").isIntegralNumber()).isTrue();
            long now = System.currentTimeMillis() / 1000;
            assertThat(claims.get("iat").asLong()).isBetween(now - 60, now + 1);
            assertThat(claims.get("exp").asLong() - claims.get("iat").asLong()).isEqualTo(15 * 60); // default 15 min
        }
    }
}
