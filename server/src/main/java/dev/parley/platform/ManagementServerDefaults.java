package dev.parley.platform;

import java.util.Map;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Once {@code management.server.port} puts the actuator (metrics, Prometheus) on a port of its
 * own, that listener binds 127.0.0.1 unless {@code management.server.address} says otherwise.
 * (Spring refuses an address while the actuator shares the main port, so the default cannot
 * simply sit in application.yml.)
 */
public class ManagementServerDefaults implements EnvironmentPostProcessor {
    static final String LOOPBACK = "127.0.0.1";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment env, SpringApplication application) {
        if (hasOwnManagementPort(env) && !env.containsProperty("management.server.address")) {
            env.getPropertySources().addLast(new MapPropertySource("parley-management-defaults",
                    Map.of("management.server.address", LOOPBACK)));
        }
    }

    /** The rule Spring Boot applies: a set port other than the server's (0 = random, always separate). */
    static boolean hasOwnManagementPort(ConfigurableEnvironment env) {
        Integer port = env.getProperty("management.server.port", Integer.class);
        if (port == null || port < 0) return false;
        return port == 0 || !port.equals(env.getProperty("server.port", Integer.class, 8080));
    }
}
