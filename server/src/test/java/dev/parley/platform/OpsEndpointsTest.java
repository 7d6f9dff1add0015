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

    /** Metrics are served only on the management port (see ratelimit.ManagementPortAndProxyTest); health stays public. */
    @Test
    void metricsAreNotServedOnTheMainPort() {
        for (String path : new String[] {"/actuator/prometheus", "/actuator/metrics", "/actuator/metrics/jvm.memory.used",
                "/actuator", "/actuator/", "/actuator/env", "/actuator/PROMETHEUS", "/actuator/%70rometheus",
                "/actuator;x=y/prometheus", "/actuator/health/../prometheus"}) {
            var r = api.get(path).raw();
            assertThat(r.statusCode()).as(path).isIn(400, 404);
            assertThat(r.body()).as(path).doesNotContain("jvm_memory").doesNotContain("jvm.memory");
        }
        assertThat(api.get("/actuator/health").status()).isEqualTo(200);
        assertThat(api.get("/livez").status()).isEqualTo(200);
        assertThat(api.get("/readyz").status()).isEqualTo(200);
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
    }

    /** The origin that keeps refresh tokens serves nothing without its CSP: Swagger UI is off by default. */
    @Test
    void swaggerUiIsNotServedOnTheMainOriginWithoutTheCsp() {
        for (String path : new String[] {"/swagger-ui.html", "/swagger-ui/index.html", "/swagger-ui/swagger-initializer.js"}) {
            var r = api.get(path).raw();
            assertThat(r.headers().firstValue("Content-Security-Policy")).as(path).isPresent();
            assertThat(r.headers().firstValue("Content-Security-Policy").orElseThrow()).contains("script-src 'self'");
            assertThat(r.body()).as(path).doesNotContain("SwaggerUIBundle").doesNotContain("swagger-ui-bundle");
        }
    }
}
