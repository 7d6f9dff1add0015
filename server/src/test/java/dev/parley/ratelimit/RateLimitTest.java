package dev.parley.ratelimit;

import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.parley.support.ApiClient;
import dev.parley.support.IntegrationTest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Its own context with its own Redis prefix and low limits, so every counter starts from zero
 * (the shared test context raises all limits out of the way).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class RateLimitTest {
    @LocalServerPort
    int port;
    ApiClient api;

    @DynamicPropertySource
    static void lowLimits(DynamicPropertyRegistry registry) throws Exception {
        IntegrationTest.registerServices(registry, "parley-ratelimit-test-" + UUID.randomUUID() + ":", "3/1m");
        registry.add("parley.rate-limit.rules.login-ip", () -> "5/1m");
        registry.add("parley.rate-limit.rules.reset-password-account", () -> "2/1h");
    }

    @BeforeEach
    void client() {
        api = new ApiClient("http://127.0.0.1:" + port);
    }

    private static String email(String who) {
        return who + "-" + UUID.randomUUID() + "@example.test";
    }

    @Test
    void loginIsLimitedPerAccountThenPerIp() {
        String victim = email("victim");
        for (int i = 0; i < 3; i++) {
            assertThat(api.post("/api/auth/login", Map.of("email", victim, "password", "guess" + i + "xyz")).status()).isEqualTo(401);
        }
        var limited = api.post("/api/auth/login", Map.of("email", victim, "password", "guess-final"));
        assertThat(limited.status()).isEqualTo(429);
        assertThat(limited.body().get("statusCode").asInt()).isEqualTo(429);
        assertThat(limited.message()).isNotBlank();
        assertThat(Long.parseLong(limited.header("Retry-After"))).isBetween(1L, 60L);

        // another account from the same address is still allowed: the per-IP budget is 5
        assertThat(api.post("/api/auth/login", Map.of("email", email("x"), "password", "whatever1")).status()).isEqualTo(401);
        // ...and then it is spent
        assertThat(api.post("/api/auth/login", Map.of("email", email("y"), "password", "whatever1")).status()).isEqualTo(429);
    }

    @Test
    void registrationCheckEmailAndResetPasswordAreLimited() {
        for (int i = 0; i < 3; i++) {
            assertThat(api.post("/api/user/check-email", Map.of("email", email("c"))).status()).isEqualTo(200);
        }
        var r = api.post("/api/user/check-email", Map.of("email", email("c")));
        assertThat(r.status()).isEqualTo(429);
        assertThat(r.header("Retry-After")).isNotNull();

        for (int i = 0; i < 3; i++) {
            assertThat(api.post("/api/user", Map.of("name", "Reg", "email", email("r"), "password", "password123")).status()).isEqualTo(200);
        }
        String blocked = email("r");
        assertThat(api.post("/api/user", Map.of("name", "Reg", "email", blocked, "password", "password123")).status()).isEqualTo(429);

        String target = email("reset");
        assertThat(api.post("/api/user/reset-password", Map.of("email", target)).status()).isEqualTo(200);
        assertThat(api.post("/api/user/reset-password", Map.of("email", target)).status()).isEqualTo(200);
        assertThat(api.post("/api/user/reset-password", Map.of("email", target)).status()).isEqualTo(429);
    }
}
