package dev.parley.session;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.core.StringRedisTemplate;

import dev.parley.platform.RedisKeys;
import dev.parley.support.ApiClient;
import dev.parley.support.IntegrationTest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Reuse detection remembers only the last {@link SessionStore#PREVIOUS_TOKENS_KEPT} rotated tokens,
 * so a long-lived session's bookkeeping stays bounded (it used to grow by one hash per rotation).
 */
class RefreshHistoryTest extends IntegrationTest {
    @Autowired
    StringRedisTemplate redis;
    @Autowired
    RedisKeys keys;

    @Test
    void theRotationHistoryStaysBoundedAndOnlyRecentTokensCountAsReuse() {
        TestUser u = signUp("Rotor");
        String sid = u.refreshToken().substring(0, u.refreshToken().indexOf('.'));
        List<String> tokens = new ArrayList<>(List.of(u.refreshToken()));
        for (int i = 0; i < 60; i++) {
            var r = refresh(u.id(), tokens.getLast());
            assertThat(r.status()).isEqualTo(200);
            tokens.add(r.data().get("refreshToken").asString());
        }

        String history = keys.of("session-rt-prev", sid);
        assertThat(redis.opsForList().size(history)).isEqualTo(SessionStore.PREVIOUS_TOKENS_KEPT);
        assertThat(redis.hasKey(keys.of("session-rt-old", sid))).isFalse();
        assertThat(redis.opsForHash().size(keys.of("session", sid))).isLessThan(20);

        // older than the remembered ones: refused like any unknown token; the session lives on
        var ancient = refresh(u.id(), tokens.get(10));
        assertThat(ancient.status()).isEqualTo(401);
        assertThat(ancient.message()).isEqualTo("Refresh token verify failed");
        String current = refresh(u.id(), tokens.getLast()).data().get("refreshToken").asString();

        // a recently rotated one (beyond the racing-tab grace of the latest) is theft: the session is revoked
        assertThat(refresh(u.id(), tokens.get(tokens.size() - 3)).status()).isEqualTo(401);
        assertThat(refresh(u.id(), current).status()).isEqualTo(401);
        assertThat(redis.hasKey(history)).isFalse();
    }

    private ApiClient.Response refresh(long userId, String token) {
        return api.post("/api/auth/refresh-token", Map.of("userID", userId, "refreshToken", token));
    }
}
