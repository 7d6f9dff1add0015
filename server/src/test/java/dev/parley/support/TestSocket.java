package dev.parley.support;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import io.socket.client.Ack;
import io.socket.client.IO;
import io.socket.client.Socket;

import org.json.JSONObject;

import tools.jackson.databind.JsonNode;

/**
 * A real socket.io-client (Java, 4.x protocol) that records every event it receives.
 * {@link #connectAs} opens it with the 4.x {@code auth} payload (or the 2.x-style query) and
 * completes the {@code user:connect} handshake.
 */
public final class TestSocket implements AutoCloseable {
    public record Event(String name, JsonNode payload, long atNanos) {}

    private static final String[] EVENTS = {"user:connect_success", "user:invalid_token", "user:new_message",
            "user:new_dialog", "user:all_messages_read", "user:message_read", "user:connection_status",
            "user:typing", "user:message_updated", "user:message_deleted", "user:profile_updated", "sync:required"};

    private final Socket socket;
    private final List<Event> events = new CopyOnWriteArrayList<>();
    private final CompletableFuture<Void> connected = new CompletableFuture<>();
    private volatile boolean disconnected;

    private TestSocket(Socket socket) {
        this.socket = socket;
        for (String e : EVENTS) socket.on(e, args -> events.add(new Event(e, args.length > 0 ? toJson(args[0]) : null, System.nanoTime())));
        socket.on(Socket.EVENT_CONNECT, args -> connected.complete(null));
        socket.on(Socket.EVENT_DISCONNECT, args -> disconnected = true);
        socket.on(Socket.EVENT_CONNECT_ERROR, args -> connected.completeExceptionally(new IllegalStateException("connect error " + List.of(args))));
    }

    public enum Auth { AUTH_PAYLOAD, QUERY, NONE }

    public static TestSocket open(int port, String token, Auth mode, boolean websocketOnly) {
        var b = IO.Options.builder().setForceNew(true).setReconnection(false).setTimeout(5000);
        if (websocketOnly) b.setTransports(new String[] {"websocket"});
        if (mode == Auth.AUTH_PAYLOAD) b.setAuth(Map.of("token", token, "os", "Linux", "browser", "JUnit"));
        if (mode == Auth.QUERY) b.setQuery("authorization=Bearer%20" + token + "&os=Linux&browser=JUnit");
        var s = new TestSocket(IO.socket(URI.create("http://127.0.0.1:" + port), b.build()));
        s.socket.connect();
        try {
            s.connected.get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            s.close();
            throw new IllegalStateException(e);
        }
        return s;
    }

    /** Opens, emits user:connect and waits for user:connect_success. */
    public static TestSocket connectAs(int port, IntegrationTest.TestUser user) {
        var s = open(port, user.accessToken(), Auth.AUTH_PAYLOAD, true);
        s.emit("user:connect");
        s.await("user:connect_success", Duration.ofSeconds(5));
        return s;
    }

    public static TestSocket connectAs(int port, String accessToken, Auth mode, boolean websocketOnly) {
        var s = open(port, accessToken, mode, websocketOnly);
        s.emit("user:connect");
        s.await("user:connect_success", Duration.ofSeconds(5));
        return s;
    }

    public void emit(String event, Object... args) {
        Object[] converted = new Object[args.length];
        for (int i = 0; i < args.length; i++) converted[i] = toClient(args[i]);
        socket.emit(event, converted);
    }

    /** Maps and lists become the client library's JSON objects; anything else is sent as is. */
    static Object toClient(Object value) {
        if (!(value instanceof Map<?, ?>)) return value;
        try {
            return new JSONObject(ApiClient.json().writeValueAsString(value));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static JsonNode toJson(Object value) {
        return value == null ? null : ApiClient.json().readTree(String.valueOf(value));
    }

    /** Emits with an ack and waits for it (its first argument). */
    public JsonNode emitAck(String event, Object payload) {
        var f = new CompletableFuture<JsonNode>();
        socket.emit(event, new Object[] {toClient(payload)}, (Ack) args -> f.complete(args.length > 0 ? toJson(args[0]) : null));
        try {
            return f.get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("No ack for " + event, e);
        }
    }


    public Event await(String event, Duration timeout) {
        return await(event, p -> true, timeout);
    }

    public Event await(String event, Predicate<JsonNode> match, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (Event e : events) if (e.name().equals(event) && match.test(e.payload())) return e;
            sleep(5);
        }
        throw new AssertionError("No " + event + " within " + timeout + "; got " + events);
    }

    public List<Event> events(String event) {
        return events.stream().filter(e -> e.name().equals(event)).toList();
    }

    public void clear() {
        events.clear();
    }

    public boolean isDisconnected() {
        return disconnected || !socket.connected();
    }

    public void awaitDisconnected(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (isDisconnected()) return;
            sleep(5);
        }
        throw new AssertionError("Still connected after " + timeout);
    }

    /** Asserts nothing named {@code event} arrives for a short while. */
    public void assertQuiet(String event, Duration during) {
        sleep(during.toMillis());
        if (!events(event).isEmpty()) throw new AssertionError("Unexpected " + event + ": " + events(event));
    }

    public static void sleep(long ms) {
        try { Thread.sleep(ms); } catch (InterruptedException e) { Thread.currentThread().interrupt(); }
    }

    @Override
    public void close() {
        socket.off();
        socket.disconnect();
        socket.close();
    }
}
