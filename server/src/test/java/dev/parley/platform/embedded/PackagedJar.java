package dev.parley.platform.embedded;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import dev.parley.support.ApiClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs target/parley.jar as a separate process on a data directory, the way {@code ./parley run}
 * does, and looks at the embedded servers it starts from the outside.
 */
final class PackagedJar {
    static final Path JAR = Path.of("target/parley.jar").toAbsolutePath();

    private PackagedJar() {}

    static Process start(Path dataDir, int port, String... extraArgs) throws IOException {
        assertThat(JAR).exists();
        String java = ProcessHandle.current().info().command().orElse("java");
        File log = dataDir.resolveSibling(dataDir.getFileName() + "-server-" + System.nanoTime() + ".log").toFile();
        List<String> cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-jar", JAR.toString(),
                "--server.port=" + port, "--parley.socket.port=" + (port + 1), "--parley.data-dir=" + dataDir));
        cmd.addAll(List.of(extraArgs));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log).start();
    }

    static long awaitHealthy(ApiClient api, Process process) throws InterruptedException {
        long t0 = System.nanoTime();
        long deadline = t0 + Duration.ofSeconds(420).toNanos();
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
        throw new AssertionError("server did not become healthy in 420 s");
    }

    static void stop(Process p) throws InterruptedException {
        p.destroy(); // SIGTERM: graceful shutdown, embedded services stop after the context
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("server did not stop within 60 s of SIGTERM");
        }
    }

    static void kill(Process p) throws InterruptedException {
        p.destroyForcibly(); // SIGKILL: no shutdown hook runs
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }

    /**
     * Processes of the embedded servers: their working directory is their data directory
     * (PostgreSQL and Redis both rewrite their command lines), plus anything else naming it.
     */
    static List<ProcessHandle> processesUsing(Path dataDir) {
        return ProcessHandle.allProcesses()
                .filter(p -> p.pid() != ProcessHandle.current().pid())
                .filter(p -> cwd(p).startsWith(dataDir)
                        || p.info().commandLine().map(c -> c.contains(dataDir.toString()) && !c.contains("parley.jar")).orElse(false))
                .toList();
    }

    static List<ProcessHandle> processesIn(Path dir) {
        return ProcessHandle.allProcesses().filter(p -> cwd(p).equals(dir)).toList();
    }

    private static Path cwd(ProcessHandle p) {
        try {
            return Files.readSymbolicLink(Path.of("/proc", Long.toString(p.pid()), "cwd"));
        } catch (IOException | UnsupportedOperationException gone) {
            return Path.of("/nonexistent");
        }
    }

    static void assertNoProcessUses(Path dataDir, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        List<String> left;
        do {
            left = processesUsing(dataDir).stream().map(p -> p.pid() + " " + p.info().commandLine().orElse("?")).toList();
            if (left.isEmpty()) return;
            Thread.sleep(100);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("embedded services still running: " + left);
    }

    /** Removes a test's directory (with its ~60 MB of unpacked binaries) once the test has passed. */
    static void deleteAfterSuccess(Path dir) {
        try (var all = Files.walk(dir)) {
            all.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | RuntimeException e) {
            System.out.println("Could not delete " + dir + ": " + e);
        }
    }

    /** The embedded PostgreSQL's port, from the postmaster.pid it wrote (line 4). */
    static int postgresPort(Path dataDir) throws IOException {
        return Integer.parseInt(Files.readAllLines(dataDir.resolve("postgres/postmaster.pid")).get(3).strip());
    }

    static long postmasterPid(Path dataDir) throws IOException {
        return Long.parseLong(Files.readAllLines(dataDir.resolve("postgres/postmaster.pid")).get(0).strip());
    }

    static Connection connect(Path dataDir, String database, String user, String passwordFile) throws IOException, SQLException {
        return connectWith(dataDir, database, user, Files.readString(dataDir.resolve(passwordFile)).strip());
    }

    static Connection connectWith(Path dataDir, String database, String user, String password) throws IOException, SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        if (password != null) p.setProperty("password", password);
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + postgresPort(dataDir) + "/" + database, p);
    }

    static Connection superuser(Path dataDir, String database) throws IOException, SQLException {
        return connect(dataDir, database, "postgres", "postgres-superuser-password");
    }

    static Connection applicationRole(Path dataDir) throws IOException, SQLException {
        return connect(dataDir, "parley", "parley", "postgres-password");
    }
}
