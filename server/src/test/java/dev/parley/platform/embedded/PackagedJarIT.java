package dev.parley.platform.embedded;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.parley.support.ApiClient;
import dev.parley.support.TestServices;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The zero-setup promise, checked on the packaged jar: started with no configuration at all it
 * brings up embedded PostgreSQL and Redis, answers /actuator/health, and keeps accounts across a
 * restart (data under parley.data-dir).
 */
class PackagedJarIT {

    @Test
    void packagedJarStartsWithNoConfigurationAndKeepsDataAcrossRestarts() throws Exception {
        Path dataDir = Files.createTempDirectory("parley-jar-it");
        int port = TestServices.freePort();
        String email = "jar-" + System.nanoTime() + "@example.test";

        Process first = PackagedJar.start(dataDir.resolve("data"), port);
        try {
            ApiClient api = new ApiClient("http://127.0.0.1:" + port);
            long startupMs = PackagedJar.awaitHealthy(api, first);
            System.out.println("Packaged jar: healthy " + startupMs + " ms after launch (first start, fresh data dir)");
            assertThat(api.post("/api/user", Map.of("name", "Jar", "email", email, "password", "password123")).status()).isEqualTo(200);
            assertThat(api.get("/api/config").data().get("socketUrl").asString()).endsWith(":" + (port + 1));
        } finally {
            PackagedJar.stop(first);
        }
        PackagedJar.assertNoProcessUses(dataDir, Duration.ofSeconds(10)); // embedded PostgreSQL and Redis went down with the server
        assertThat(Files.readString(dataDir.resolve("data/jwt-secret")).strip()).hasSizeGreaterThanOrEqualTo(32);

        Process second = PackagedJar.start(dataDir.resolve("data"), port);
        try {
            ApiClient api = new ApiClient("http://127.0.0.1:" + port);
            long startupMs = PackagedJar.awaitHealthy(api, second);
            System.out.println("Packaged jar: healthy " + startupMs + " ms after launch (restart, existing data)");
            var taken = api.post("/api/user/check-email", Map.of("email", email));
            assertThat(taken.status()).isEqualTo(400);
            assertThat(taken.message()).isEqualTo("Email already in use");
        } finally {
            PackagedJar.stop(second);
        }
        PackagedJar.assertNoProcessUses(dataDir, Duration.ofSeconds(10));
        PackagedJar.deleteAfterSuccess(dataDir);
    }
}
