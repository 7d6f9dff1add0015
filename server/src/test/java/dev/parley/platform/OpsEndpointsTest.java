package dev.parley.platform;

import org.junit.jupiter.api.Test;

import dev.parley.support.IntegrationTest;

import static org.assertj.core.api.Assertions.assertThat;

class OpsEndpointsTest extends IntegrationTest {

    @Test
    void healthIncludesPostgresAndRedisInReadiness() {
        var health = api.get("/actuator/health");
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.body().get("status").asString()).isEqualTo("UP");
        assertThat(api.get("/actuator/health/liveness").body().get("status").asString()).isEqualTo("UP");
        var readiness = api.get("/actuator/health/readiness");
        assertThat(readiness.body().get("status").asString()).isEqualTo("UP");
    }

    @Test
    void prometheusMetricsAreExposed() {
        var r = api.get("/actuator/prometheus").raw();
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("jvm_memory_used_bytes").contains("hikaricp_connections");
    }

    @Test
    void openApiDescribesEveryCoreEndpoint() {
        var docs = api.get("/v3/api-docs");
        assertThat(docs.status()).isEqualTo(200);
        var paths = docs.body().get("paths");
        for (String p : new String[] {"/api/auth/login", "/api/auth/refresh-token", "/api/auth/logout", "/api/user",
                "/api/user/check-email", "/api/user/is-exist", "/api/user/{id}/name", "/api/user/search",
                "/api/user/reset-password", "/api/user/change/password", "/api/user/change/name",
                "/api/user/change/bio", "/api/user/change/email", "/api/user/me", "/api/email/confirm-email",
                "/api/email/reset-password", "/api/email/change-email", "/api/session", "/api/session/{sessionId}",
                "/api/config"}) {
            assertThat(paths.has(p)).as(p).isTrue();
        }
        assertThat(api.get("/swagger-ui.html").raw().statusCode()).isIn(200, 302);
    }
}
