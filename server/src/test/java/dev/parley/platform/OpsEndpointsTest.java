package dev.parley.platform;

import org.junit.jupiter.api.Test;

import dev.parley.support.IntegrationTest;

import static org.assertj.core.api.Assertions.assertThat;

class OpsEndpointsTest extends IntegrationTest {

    /**
     * Components are hidden ({@code show-details: never}), so this only shows the probes answer;
     * that readiness goes DOWN without Redis is shown by {@link TightNodeTest}, which has a Redis of
     * its own to stop.
     */
    @Test
    void healthLivenessAndReadinessAreUp() {
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
                "/api/config", "/api/message/{id}", "/api/message", "/api/message/read", "/api/message/{id}/not-readed",
                "/api/dialog", "/api/sync"}) {
            assertThat(paths.has(p)).as(p).isTrue();
        }
        for (String[] op : new String[][] {{"/api/message/{id}", "get"}, {"/api/message/{id}", "post"},
                {"/api/message", "put"}, {"/api/message", "delete"}, {"/api/user", "delete"}, {"/api/session", "delete"}}) {
            assertThat(paths.get(op[0]).has(op[1])).as(op[1] + " " + op[0]).isTrue();
        }
        assertThat(api.get("/swagger-ui.html").raw().statusCode()).isIn(200, 302);
    }
}
