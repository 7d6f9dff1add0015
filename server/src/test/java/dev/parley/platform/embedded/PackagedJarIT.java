package dev.parley.platform.embedded;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

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
        Path jar = Path.of("target/parley.jar").toAbsolutePath();
        assertThat(jar).exists();
        Path dataDir = Files.createTempDirectory("parley-jar-it");
        int port = TestServices.freePort();
        String email = "jar-" + System.nanoTime() + "@example.test";

        Process first = start(jar, dataDir, port);
        try {
            ApiClient api = new ApiClient("http://127.0.0.1:" + port);
            long startupMs = awaitHealthy(api, first);
            System.out.println("Packaged jar: healthy " + startupMs + " ms after launch (first start, fresh data dir)");
            assertThat(api.post("/api/user", Map.of("name", "Jar", "email", email, "password", "password123")).status()).isEqualTo(200);
            assertThat(api.get("/api/config").data().get("socketUrl").asString()).endsWith(":" + (port + 1));
        } finally {
            stop(first);
        }
        assertThat(Files.readString(dataDir.resolve("jwt-secret")).strip()).hasSizeGreaterThanOrEqualTo(32);

        Process second = start(jar, dataDir, port);
        try {
            ApiClient api = new ApiClient("http://127.0.0.1:" + port);
            long startupMs = awaitHealthy(api, second);
            System.out.println("Packaged jar: healthy " + startupMs + " ms after launch (restart, existing data)");
            var taken = api.post("/api/user/check-email", Map.of("email", email));
            assertThat(taken.status()).isEqualTo(400);
            assertThat(taken.message()).isEqualTo("Email already in use");
        } finally {
            stop(second);
        }
    }

    private static Process start(Path jar, Path dataDir, int port) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        File log = dataDir.resolve("server-" + System.nanoTime() + ".log").toFile();
        return new ProcessBuilder(List.of(java, "--enable-native-access=ALL-UNNAMED", "-jar", jar.toString(),
                "--server.port=" + port, "--parley.socket.port=" + (port + 1), "--parley.data-dir=" + dataDir))
                .redirectErrorStream(true).redirectOutput(log).start();
    }

    private static long awaitHealthy(ApiClient api, Process process) throws Exception {
        long t0 = System.nanoTime();
        long deadline = t0 + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            assertThat(process.isAlive()).as("server process exited early").isTrue();
            try {
                var health = api.get("/actuator/health");
                if (health.status() == 200 && "UP".equals(health.body().path("status").asString())) {
                    return (System.nanoTime() - t0) / 1_000_000;
                }
            } catch (IllegalStateException notYet) {
                // connection refused while starting
            }
            Thread.sleep(200);
        }
        throw new AssertionError("server did not become healthy in 90 s");
    }

    private static void stop(Process p) throws Exception {
        p.destroy(); // SIGTERM: graceful shutdown, embedded services stop after the context
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("server did not stop within 30 s of SIGTERM");
        }
    }
}
