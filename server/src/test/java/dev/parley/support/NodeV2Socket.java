package dev.parley.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import tools.jackson.databind.JsonNode;

/**
 * The real socket.io-client 2.x (Engine.IO 3, what the core Angular client uses), run by Node from
 * {@code src/test/node} and driven over stdin/stdout JSON lines. Its npm dependencies are installed
 * with {@code npm ci} on first use, so a clean clone needs nothing but Node.
 */
public final class NodeV2Socket implements AutoCloseable {
    private static final Path DIR = Path.of("src/test/node").toAbsolutePath();
    private static volatile boolean installed;

    /** Output of npm and of the Node client, kept out of the test JVM's stdio. */
    private static final Path LOG = Path.of("target", "node-v2-client.log").toAbsolutePath();

    private final Process process;
    private final Writer stdin;
    private final List<JsonNode> lines = new CopyOnWriteArrayList<>();
    private final AtomicInteger ackIds = new AtomicInteger();

    private NodeV2Socket() throws IOException {
        ensureInstalled();
        // Never inherit the test JVM's stdio: under Surefire they carry its fork protocol.
        process = new ProcessBuilder("node", DIR.resolve("v2-client.js").toString()).directory(DIR.toFile())
                .redirectError(ProcessBuilder.Redirect.appendTo(LOG.toFile())).start();
        stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        Thread.ofPlatform().daemon().start(() -> {
            try (var r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) lines.add(ApiClient.json().readTree(line));
            } catch (IOException ignored) {
                // process ended
            }
        });
    }

    private static synchronized void ensureInstalled() throws IOException {
        if (installed || Files.isDirectory(DIR.resolve("node_modules/socket.io-client"))) {
            installed = true;
            return;
        }
        try {
            Files.createDirectories(LOG.getParent());
            var p = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund").directory(DIR.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(LOG.toFile())).start();
            if (!p.waitFor(180, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("npm ci failed in " + DIR + "; see " + LOG);
            }
            installed = true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Connects with the 2.x-style query auth, emits user:connect and waits for the answer. */
    public static NodeV2Socket connect(int port, String token, List<String> transports) {
        return connect(port, token, transports, null);
    }

    /** {@code emitOnUpgrading}: an event the client emits right when polling pauses for the websocket upgrade. */
    public static NodeV2Socket connect(int port, String token, List<String> transports, String emitOnUpgrading) {
        try {
            var s = new NodeV2Socket();
            var cmd = new java.util.HashMap<String, Object>(Map.of("cmd", "connect", "url", "http://127.0.0.1:" + port,
                    "query", Map.of("authorization", "Bearer " + token, "os", "Linux", "browser", "Node"),
                    "transports", transports));
            if (emitOnUpgrading != null) cmd.put("emitOnUpgrading", emitOnUpgrading);
            s.send(cmd);
            s.awaitLine(l -> l.path("type").asString().equals("connect"), Duration.ofSeconds(10));
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void emit(String event, Object... args) {
        send(Map.of("cmd", "emit", "event", event, "args", List.of(args)));
    }

    public JsonNode emitAck(String event, Object payload) {
        int id = ackIds.incrementAndGet();
        send(Map.of("cmd", "emit", "event", event, "args", List.of(payload), "ack", id));
        return awaitLine(l -> l.path("type").asString().equals("ack") && l.path("id").asInt() == id, Duration.ofSeconds(10)).get("payload");
    }

    public JsonNode await(String event, Predicate<JsonNode> match, Duration timeout) {
        return awaitLine(l -> l.path("type").asString().equals("event") && l.path("name").asString().equals(event)
                && match.test(l.get("payload")), timeout).get("payload");
    }

    public JsonNode await(String event, Duration timeout) {
        return await(event, p -> true, timeout);
    }

    public List<JsonNode> events(String event) {
        return lines.stream().filter(l -> l.path("type").asString().equals("event") && l.path("name").asString().equals(event))
                .map(l -> l.get("payload")).toList();
    }

    public boolean sawLine(String type) {
        return lines.stream().anyMatch(l -> l.path("type").asString().equals(type));
    }

    public JsonNode awaitLine(Predicate<JsonNode> match, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (JsonNode l : lines) if (match.test(l)) return l;
            TestSocket.sleep(5);
        }
        throw new AssertionError("Node v2 client: nothing matching within " + timeout + "; got " + lines);
    }

    private synchronized void send(Object command) {
        try {
            stdin.write(ApiClient.json().writeValueAsString(command));
            stdin.write('\n');
            stdin.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            send(Map.of("cmd", "close"));
        } catch (RuntimeException ignored) {
            // already gone
        }
        try {
            if (!process.waitFor(2, TimeUnit.SECONDS)) process.destroyForcibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
