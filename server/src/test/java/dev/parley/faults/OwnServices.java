package dev.parley.faults;

import java.io.File;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import dev.parley.support.TestServices;

/**
 * A Redis process and a PostgreSQL cluster of the fault test's own (own ports, own data
 * directories), which it stops and starts at will. Never the machine's shared services.
 */
final class OwnServices {
    private OwnServices() {}

    /** {@code /usr/bin/redis-server} (or PARLEY_TEST_REDIS_SERVER) as a child process. */
    static final class Redis implements AutoCloseable {
        final int port = TestServices.freePort();
        private final Path dir;
        private Process process;

        Redis(Path dir) throws IOException {
            this.dir = Files.createDirectories(dir);
            start();
        }

        String url() {
            return "redis://127.0.0.1:" + port;
        }

        void start() throws IOException {
            String binary = System.getenv().getOrDefault("PARLEY_TEST_REDIS_SERVER", "/usr/bin/redis-server");
            process = new ProcessBuilder(binary, "--port", Integer.toString(port), "--bind", "127.0.0.1",
                    "--dir", dir.toString(), "--save", "", "--appendonly", "yes", "--appendfsync", "always",
                    "--daemonize", "no", "--logfile", dir.resolve("redis.log").toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("redis.out").toFile()).start();
            awaitPort(port, true, 10_000);
        }

        /** Stopped cleanly: everything written is on disk (append-only file, fsync always) and comes back. */
        void stop() throws InterruptedException {
            process.destroy(); // SIGTERM: Redis shuts down gracefully
            if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
            awaitPort(port, false, 10_000);
        }

        /** Killed and its data thrown away: comes back empty (as a Redis without persistence). */
        void killAndWipe() throws IOException, InterruptedException {
            process.destroyForcibly().waitFor();
            awaitPort(port, false, 10_000);
            try (var files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).filter(p -> !p.equals(dir)).map(Path::toFile).forEach(File::delete);
            }
        }

        @Override
        public void close() throws InterruptedException {
            if (process != null && process.isAlive()) {
                process.destroyForcibly().waitFor();
            }
        }
    }

    /** A PostgreSQL cluster (zonky's embedded binaries) on its own port and data directory. */
    static final class Postgres implements AutoCloseable {
        final int port = TestServices.freePort();
        private final Path dir;
        private EmbeddedPostgres pg;

        Postgres(Path dir) throws IOException {
            this.dir = Files.createDirectories(dir);
            start();
        }

        String jdbcUrl() {
            return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
        }

        void start() throws IOException {
            pg = EmbeddedPostgres.builder().setPort(port).setDataDirectory(dir).setCleanDataDirectory(false)
                    .setRegisterShutdownHook(true).setServerConfig("max_connections", "100").start();
        }

        /** Fast shutdown: open connections are cut, as in a crash of the server's clients' view. */
        void stop() throws IOException {
            pg.close();
            pg = null;
        }

        @Override
        public void close() throws IOException {
            if (pg != null) pg.close();
        }
    }

    static void awaitPort(int port, boolean open, long timeoutMs) {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (System.currentTimeMillis() < deadline) {
            boolean isOpen;
            try (var s = new Socket("127.0.0.1", port)) {
                isOpen = true;
            } catch (IOException e) {
                isOpen = false;
            }
            if (isOpen == open) return;
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        throw new IllegalStateException("Port " + port + " did not " + (open ? "open" : "close") + " in time");
    }
}
