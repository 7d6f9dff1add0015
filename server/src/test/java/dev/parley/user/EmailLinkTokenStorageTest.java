package dev.parley.user;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.core.StringRedisTemplate;

import dev.parley.platform.Tokens;
import dev.parley.support.IntegrationTest;
import dev.parley.support.TestServices;

import static org.assertj.core.api.Assertions.assertThat;

/** Email-link tokens are kept only as hashes: whoever reads Redis cannot use a pending link. */
class EmailLinkTokenStorageTest extends IntegrationTest {
    @Autowired
    StringRedisTemplate redis;

    /** Every key of this test run's prefix, with every value it holds (any Redis type), as text. */
    private List<String> everythingStored() {
        List<String> all = new ArrayList<>();
        for (String key : redis.keys(TestServices.redisPrefix() + "*")) {
            all.add(key);
            switch (redis.type(key).code()) {
                case "string" -> all.add(redis.opsForValue().get(key));
                case "hash" -> all.add(redis.opsForHash().entries(key).toString());
                case "set" -> all.add(String.valueOf(redis.opsForSet().members(key)));
                case "zset" -> all.add(String.valueOf(redis.opsForZSet().range(key, 0, -1)));
                case "list" -> all.add(String.valueOf(redis.opsForList().range(key, 0, -1)));
                default -> { }
            }
        }
        return all;
    }

    @Test
    void confirmResetAndChangeEmailTokensAreStoredOnlyHashed() {
        var wes = signUp("Wes");
        assertThat(api.post("/api/user/reset-password", Map.of("email", wes.email())).status()).isEqualTo(200);
        var reset = awaitLink(wes.email(), "reset-password");
        String newEmail = uniqueEmail("wes-new");
        assertThat(api.post("/api/user/change/email", Map.of("password", PASSWORD, "newEmail", newEmail), wes.accessToken()).status()).isEqualTo(200);
        var change = awaitLink(newEmail, "change-email");
        String unconfirmedEmail = uniqueEmail("xia");
        assertThat(api.post("/api/user", Map.of("name", "Xia", "email", unconfirmedEmail, "password", PASSWORD)).status()).isEqualTo(200);
        var confirm = awaitLink(unconfirmedEmail, "confirm-email");

        var stored = String.join("\n", everythingStored());
        for (var link : List.of(reset, change, confirm)) {
            assertThat(stored).as(link.kind() + " token in the clear").doesNotContain(link.token());
            // ...but its hash is there: the links are pending, and kept in Redis
            assertThat(stored).as(link.kind() + " token hash").contains(Tokens.sha256(link.token()));
        }
        // and the stored hashes still work as links
        assertThat(api.get("/api/email/confirm-email?id=" + confirm.userId() + "&token=" + confirm.token()).status()).isEqualTo(200);
    }
}
