package dev.parley.ratelimit;

import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.parley.support.ApiClient;
import dev.parley.support.IntegrationTest;
import dev.parley.support.TestServices;

/**
 * A second shared context, deployment-like, for tests about limits and the deployment surface:
 * its own Redis prefix and low limits (every counter starts from zero), no email confirmation
 * (accounts without reading mail), the actuator on a management port of its own, and only
 * 127.0.0.1 as trusted proxy, so a test speaks "from" another address with X-Forwarded-For, and
 * a client bound to 127.0.0.2 is an untrusted peer (with {@code forward-headers-strategy=native},
 * as the README used to advise, Tomcat would trust it: it trusted every private address).
 * Subclasses share the one context.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {"management.server.port=0",
        "parley.trusted-proxies=127.0.0.1/32", "server.forward-headers-strategy=native"})
public abstract class LowLimitsIntegrationTest {
    @LocalServerPort
    protected int port;
    @LocalManagementPort
    protected int managementPort;
    protected ApiClient api;

    @DynamicPropertySource
    static void lowLimits(DynamicPropertyRegistry registry) throws Exception {
        IntegrationTest.registerServices(registry, "parley-ratelimit-test-" + UUID.randomUUID() + ":", "3/1m");
        // a listener of its own: both cached contexts stay up (test-classpath spring.properties)
        int socketPort = TestServices.freePort();
        registry.add("parley.socket.port", () -> socketPort);
        registry.add("parley.rate-limit.rules.login-ip", () -> "5/1m");
        registry.add("parley.rate-limit.rules.reset-password-account", () -> "2/1h");
        registry.add("parley.rate-limit.rules.reset-password-account-total", () -> "4/1h");
        registry.add("parley.rate-limit.rules.login-account-total", () -> "6/1m");
        registry.add("parley.auth.require-email-confirmation", () -> false);
    }

    @BeforeEach
    void lowLimitsClient() {
        api = new ApiClient("http://127.0.0.1:" + port);
    }
}
