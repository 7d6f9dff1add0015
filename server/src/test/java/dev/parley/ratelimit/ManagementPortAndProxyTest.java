package dev.parley.ratelimit;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import tools.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.env.Environment;

import dev.parley.support.ApiClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The deployment surface (platform's OpsEndpointsFilter, TrustedProxyFilter, ManagementServerDefaults)
 * in the deployment-like context of {@link LowLimitsIntegrationTest}: the actuator on a management
 * port of its own, and only 127.0.0.1 trusted as a proxy. It sits beside RateLimitTest so the
 * classes of that context run together (switching contexts back and forth pauses and restarts them).
 */
class ManagementPortAndProxyTest extends LowLimitsIntegrationTest {
    @Autowired
    Environment env;

    @Test
    void metricsLiveOnTheManagementPortBoundToLoopback() {
        assertThat(managementPort).isNotEqualTo(port);
        var prometheus = new ApiClient("http://127.0.0.1:" + managementPort).get("/actuator/prometheus").raw();
        assertThat(prometheus.statusCode()).isEqualTo(200);
        assertThat(prometheus.body()).contains("jvm_memory_used_bytes").contains("hikaricp_connections");
        assertThat(api.get("/actuator/prometheus").status()).isEqualTo(404);
        assertThat(api.get("/actuator/metrics").status()).isEqualTo(404);
        // load balancers keep their probes on the main port
        assertThat(api.get("/livez").status()).isEqualTo(200);
        assertThat(api.get("/readyz").status()).isEqualTo(200);

        assertThat(env.getProperty("management.server.address")).isEqualTo("127.0.0.1");
        InetAddress external = null;
        try {
            external = NetworkInterface.networkInterfaces().flatMap(NetworkInterface::inetAddresses)
                    .filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress()).findFirst().orElse(null);
        } catch (IOException e) {
            // no interfaces to try: the address property above is the check
        }
        if (external != null) {
            InetAddress target = external;
            assertThatThrownBy(() -> {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(target, managementPort), 2000);
                }
            }).as("management port reachable on " + external).isInstanceOf(IOException.class);
        }
    }

    @Test
    void aForgedForwardedForFromAnUntrustedPeerIsIgnored() throws Exception {
        // 127.0.0.2 is loopback too, but not in parley.trusted-proxies
        HttpClient untrusted = HttpClient.newBuilder().localAddress(InetAddress.getByName("127.0.0.2"))
                .connectTimeout(Duration.ofSeconds(5)).build();
        String email = "proxy-" + UUID.randomUUID() + "@example.test";
        assertThat(post(untrusted, "/api/user", Map.of("name", "Proxied", "email", email, "password", "password123"))
                .statusCode()).isEqualTo(200);
        var login = post(untrusted, "/api/auth/login", Map.of("email", email, "password", "password123"));
        assertThat(login.statusCode()).isEqualTo(200);
        String token = ApiClient.json().readTree(login.body()).get("data").get("accessToken").asString();
        JsonNode sessions = api.get("/api/session", token).data();
        assertThat(sessions.size()).isEqualTo(1);
        assertThat(sessions.get(0).get("ip").asString()).isEqualTo("127.0.0.2");

        // and a forged header buys no fresh per-address budget: login-ip allows 5 per address here
        for (int i = 0; i < 4; i++) {
            assertThat(post(untrusted, "/api/auth/login", Map.of("email", i + "-" + email, "password", "wrong")).statusCode())
                    .isEqualTo(401);
        }
        assertThat(post(untrusted, "/api/auth/login", Map.of("email", "last-" + email, "password", "wrong")).statusCode())
                .isEqualTo(429);
    }

    private HttpResponse<String> post(HttpClient client, String path, Object body) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(20)).header("Content-Type", "application/json")
                .header("X-Forwarded-For", "203.0.113." + (1 + (int) (Math.random() * 250)))
                .POST(HttpRequest.BodyPublishers.ofString(ApiClient.json().writeValueAsString(body))).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
