package dev.parley.platform.embedded;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import redis.embedded.core.ExecutableProvider;

import org.apache.commons.logging.Log;

/**
 * The Redis binary shipped in the embedded-redis artifact, run as our own child process (that
 * library's launcher adds a JVM shutdown hook that kills Redis while the application is still
 * shutting down). Password protected, 127.0.0.1 only, and durable like the sessions it keeps
 * deserve: append-only file synced every second, plus snapshots.
 */
final class RedisServer {
    static final String PASSWORD_FILE = "redis-password";
    private static final String PID_FILE = "redis.pid";
    private static final Duration SHUTDOWN = Duration.ofSeconds(30);

    private final Path dir;
    private final Log log;
    private Process redis;
    private Process watchdog;
    private int port;
    private String password;

    RedisServer(Path dir, Log log) {
        this.dir = dir;
        this.log = log;
    }

    /** Stops a Redis that a previous, killed, Parley left running on this directory (SIGTERM saves it). */
    static void stopLeftover(Path dir, Log log) throws IOException {
        var leftover = ChildProcesses.leftover(dir.resolve(PID_FILE), dir);
        if (leftover.isPresent()) {
            log.warn("Redis (pid " + leftover.get().pid() + ") from an earlier run is still running on " + dir + "; stopping it");
            ChildProcesses.stop(leftover.get(), "TERM", SHUTDOWN, "Leftover Redis", log);
        }
    }

    void start() throws IOException {
        SecretFile.privateDirectory(dir);
        port = EmbeddedServices.freePort();
        password = SecretFile.readOrCreate(dir.resolve(PASSWORD_FILE));
        // Redis 6 ignores dump.rdb when it starts with the append-only file on but none exists yet:
        // a data directory from before the AOF was turned on starts from its snapshot and converts.
        boolean convertSnapshot = !Files.exists(dir.resolve("appendonly.aof")) && Files.exists(dir.resolve("dump.rdb"));
        File binary = ExecutableProvider.newJarResourceProvider().get();
        List<String> cmd = new ArrayList<>(ChildProcesses.command(false, binary.toPath(),
                "--port", Integer.toString(port), "--bind", "127.0.0.1", "--protected-mode", "yes",
                "--dir", dir.toString(), "--logfile", dir.resolve("redis.log").toString(), "--daemonize", "no",
                "--save", "900 1 300 10 60 10000",
                "--appendonly", convertSnapshot ? "no" : "yes", "--appendfsync", "everysec"));
        // The password goes in through stdin, not the command line that `ps` shows to everyone.
        cmd.add("-");
        redis = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try (OutputStream config = redis.getOutputStream()) {
            config.write(("requirepass \"" + password + "\"\n").getBytes(StandardCharsets.UTF_8));
        }
        Files.writeString(dir.resolve(PID_FILE), redis.pid() + "\n");
        watchdog = ChildProcesses.watchdog(redis.pid(), "TERM", dir);
        awaitReady();
        if (convertSnapshot) {
            command("CONFIG SET appendonly yes");
            awaitNoRewrite();
            log.info("Embedded Redis: converted the snapshot in " + dir + " to an append-only file");
        }
    }

    int port() { return port; }

    String password() { return password; }

    synchronized void stop() {
        if (watchdog != null) {
            watchdog.destroyForcibly();
            watchdog = null;
        }
        if (redis != null) {
            try {
                ChildProcesses.stop(redis.toHandle(), "TERM", SHUTDOWN, "Embedded Redis", log); // saves, then exits
            } catch (IOException e) {
                log.warn("Stopping embedded Redis failed", e);
                redis.destroyForcibly();
            }
            redis = null;
        }
    }

    private void awaitReady() throws IOException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (!redis.isAlive()) throw new IOException("Embedded Redis exited with " + redis.exitValue() + "; see " + dir.resolve("redis.log"));
            try {
                if (command("PING").startsWith("+PONG")) return;
            } catch (IOException notYet) {
                // not listening yet, or still loading its data
            }
            sleep();
        }
        throw new IOException("Embedded Redis did not answer on port " + port + " in 60 s");
    }

    private void awaitNoRewrite() throws IOException {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline) {
            String info = command("INFO persistence");
            if (info.contains("aof_rewrite_in_progress:0") && info.contains("aof_rewrite_scheduled:0")) return;
            sleep();
        }
        throw new IOException("Embedded Redis did not finish writing its append-only file in 120 s");
    }

    /** One inline command after AUTH; the reply's first line, or a whole bulk reply. */
    private String command(String inline) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write(("AUTH " + password + "\r\n" + inline + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            var in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            String auth = in.readLine();
            if (auth == null || !auth.startsWith("+OK")) throw new IOException("Redis AUTH: " + auth);
            String reply = in.readLine();
            if (reply == null) throw new IOException("Redis closed the connection");
            if (reply.startsWith("-")) throw new IOException("Redis: " + reply);
            if (!reply.startsWith("$")) return reply;
            char[] body = new char[Integer.parseInt(reply.substring(1))];
            int read = 0;
            while (read < body.length) {
                int n = in.read(body, read, body.length - read);
                if (n < 0) break;
                read += n;
            }
            return new String(body, 0, read);
        }
    }

    private static void sleep() throws IOException {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
