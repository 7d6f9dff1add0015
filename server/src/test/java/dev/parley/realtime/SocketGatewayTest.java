package dev.parley.realtime;

import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import tools.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import dev.parley.support.IntegrationTest;
import dev.parley.support.TestSocket;
import dev.parley.support.TestSocket.Auth;

import static org.assertj.core.api.Assertions.assertThat;

class SocketGatewayTest extends IntegrationTest {
    @org.springframework.beans.factory.annotation.Autowired
    dev.parley.user.UserService userService;

    private static final Duration WAIT = Duration.ofSeconds(5);

    static JsonNode sendOverSocket(TestSocket s, long to, String text, String cmid) {
        var payload = new java.util.HashMap<String, Object>(Map.of("receiverID", to, "message", text));
        if (cmid != null) payload.put("clientMessageID", cmid);
        return s.emitAck("message:send", payload);
    }

    static long mid(JsonNode payload) {
        return payload.get("messageID").asLong();
    }

    /**
     * Browsers offer per-message deflate on every websocket; accepting it cost each socket two zlib
     * contexts (55-100 KiB native memory measured) for frames of a few dozen bytes.
     */
    @Test
    void websocketsAreOpenedWithoutPerMessageDeflate() throws Exception {
        try (var raw = new java.net.Socket("127.0.0.1", socketPort())) {
            raw.setSoTimeout(5000);
            String upgrade = "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"
                    + "User-Agent: Mozilla/5.0 (X11; Linux x86_64) " + "x".repeat(300) + "\r\nCookie: a=" + "y".repeat(500) + "\r\n\r\n";
            raw.getOutputStream().write(upgrade.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            var head = new StringBuilder();
            var in = raw.getInputStream();
            while (!head.toString().endsWith("\r\n\r\n")) {
                int c = in.read();
                if (c < 0) break;
                head.append((char) c);
            }
            assertThat(head.toString()).startsWith("HTTP/1.1 101");
            assertThat(head.toString().toLowerCase()).doesNotContain("sec-websocket-extensions");
        }
    }

    @Test
    void handshakeAuthFromAuthPayloadOrQueryOverWebsocketOrPolling() {
        var ann = signUp("Ann");
        try (var a = TestSocket.connectAs(socketPort(), ann.accessToken(), Auth.AUTH_PAYLOAD, true);
             var b = TestSocket.connectAs(socketPort(), ann.accessToken(), Auth.QUERY, false);
             var c = TestSocket.connectAs(socketPort(), "Bearer " + ann.accessToken(), Auth.AUTH_PAYLOAD, false)) {
            assertThat(a.events("user:invalid_token")).isEmpty();
            assertThat(b.events("user:connect_success")).hasSize(1);
            assertThat(c.events("user:connect_success")).hasSize(1);
        }
    }

    @Test
    void badTokenGetsInvalidTokenAndIsDisconnected() {
        try (var s = TestSocket.open(socketPort(), "not-a-token", Auth.AUTH_PAYLOAD, true)) {
            s.emit("user:connect");
            s.await("user:invalid_token", WAIT);
            s.awaitDisconnected(Duration.ofSeconds(2));
            assertThat(s.events("user:connect_success")).isEmpty();
        }
    }

    @Test
    void anonymousSocketGetsNothingAndIsDropped() {
        var ann = signUp("Ann");
        var ben = signUp("Ben");
        try (var anon = TestSocket.open(socketPort(), null, Auth.NONE, true)) {
            var ack = sendOverSocket(anon, ben.id(), "hi", null);
            assertThat(ack.get("statusCode").asInt()).isEqualTo(401);
            api.post("/api/message/" + ben.id(), Map.of("message", "hello"), ann.accessToken());
            anon.awaitDisconnected(Duration.ofSeconds(5)); // auth-timeout is 2 s in tests
            assertThat(anon.events("user:new_message")).isEmpty();
        }
        assertThat(api.get("/api/message/" + ann.id() + "?take=10&skip=1", ben.accessToken()).data()).isEmpty();
    }

    @Test
    void everySessionOfBothUsersGetsEachMessageExactlyOnce() {
        var ann = signUp("Ann");
        var ben = signUp("Ben");
        var ann2 = login("Ann", ann.email(), PASSWORD, "Android", "App");
        var ben2 = login("Ben", ben.email(), PASSWORD, "Android", "App");
        try (var a1 = TestSocket.connectAs(socketPort(), ann); var a2 = TestSocket.connectAs(socketPort(), ann2);
             var b1 = TestSocket.connectAs(socketPort(), ben); var b2 = TestSocket.connectAs(socketPort(), ben2)) {
            long viaRest = api.post("/api/message/" + ben.id(), Map.of("message", "via rest"), ann.accessToken()).data().get("messageID").asLong();
            var ack = sendOverSocket(b1, ann.id(), "via socket", null);
            assertThat(ack.get("statusCode").asInt()).isEqualTo(200);
            assertThat(ack.get("message").asString()).isEqualTo("OK");
            long viaSocket = ack.get("data").get("messageID").asLong();
            assertThat(ack.get("data").get("senderID").asLong()).isEqualTo(ben.id());
            for (var s : List.of(a1, a2, b1, b2)) {
                s.await("user:new_message", p -> mid(p) == viaSocket, WAIT);
                s.await("user:new_dialog", WAIT);
            }
            TestSocket.sleep(200);
            for (var s : List.of(a1, a2, b1, b2)) {
                assertThat(s.events("user:new_message").stream().map(e -> mid(e.payload())).toList()).containsExactly(viaRest, viaSocket);
                assertThat(s.events("user:new_dialog")).hasSize(1);
            }
            var dialogForBen = b1.events("user:new_dialog").getFirst().payload();
            assertThat(dialogForBen.get("receiverID").asLong()).isEqualTo(ann.id());
            assertThat(dialogForBen.get("receiverName").asString()).isEqualTo("Ann");
            assertThat(dialogForBen.get("newMessagesCount").asLong()).isZero(); // the client adds one per user:new_message
            assertThat(dialogForBen.get("connectionStatus").asString()).isEqualTo("online");
            var dialogForAnn = a1.events("user:new_dialog").getFirst().payload();
            assertThat(dialogForAnn.get("receiverID").asLong()).isEqualTo(ben.id());
            assertThat(dialogForAnn.get("lastMessage").asString()).isEqualTo("via rest");
            var msg = b2.events("user:new_message").getFirst().payload();
            for (String k : List.of("messageID", "senderID", "receiverID", "message", "createdAt", "updatedAt", "isUpdated", "isReaded")) {
                assertThat(msg.has(k)).as(k).isTrue();
            }
        }
    }

    @Test
    void idempotentSocketResendReturnsTheOriginalAndAsksBothSidesToSyncFromJustBeforeIt() {
        var ann = signUp("Ann");
        var ben = signUp("Ben");
        try (var a = TestSocket.connectAs(socketPort(), ann); var b = TestSocket.connectAs(socketPort(), ben)) {
            String cmid = UUID.randomUUID().toString();
            var first = sendOverSocket(a, ben.id(), "once", cmid);
            var second = sendOverSocket(a, ben.id(), "once", cmid);
            assertThat(second.get("data")).isEqualTo(first.get("data"));
            long id = first.get("data").get("messageID").asLong();
            // the repeat's first announcement may have been lost: both sides are told to sync from
            // just before the original, and nobody gets a second user:new_message (core clients count those)
            for (var s : java.util.List.of(a, b)) {
                assertThat(s.await("sync:required", WAIT).payload().get("after").asLong()).isEqualTo(id - 1);
            }
            long marker = sendOverSocket(a, ben.id(), "marker", null).get("data").get("messageID").asLong();
            b.await("user:new_message", p -> p.get("messageID").asLong() == marker, WAIT);
            assertThat(b.events("user:new_message").stream().map(e -> e.payload().get("messageID").asLong()).toList())
                    .containsExactly(id, marker);
            assertThat(b.events("user:new_dialog")).hasSize(1);
            assertThat(api.get("/api/message/" + ann.id() + "?take=10&skip=1", ben.accessToken()).data()).hasSize(1);
        }
    }

    @Test
    void badSocketInputGetsAnErrorAckAndTheSocketStaysHealthy() {
        var ann = signUp("Ann");
        var ben = signUp("Ben");
        try (var a = TestSocket.connectAs(socketPort(), ann)) {
            var missing = sendOverSocket(a, 999_999_999L, "hi", null);
            assertThat(missing.get("statusCode").asInt()).isEqualTo(400);
            assertThat(missing.get("message").asString()).isEqualTo("Receiver user not found");
            assertThat(missing.get("error").asString()).isEqualTo("Bad Request");
            assertThat(sendOverSocket(a, ben.id(), "  ", null).get("statusCode").asInt()).isEqualTo(400);
            assertThat(sendOverSocket(a, ben.id(), "x".repeat(4097), null).get("statusCode").asInt()).isEqualTo(400);
            assertThat(sendOverSocket(a, ben.id(), "hi", "not-a-uuid").get("statusCode").asInt()).isEqualTo(400);
            assertThat(a.emitAck("message:send", "just a string").get("statusCode").asInt()).isEqualTo(400);
            assertThat(a.emitAck("message:send", Map.of("receiverID", "abc", "message", "x")).get("statusCode").asInt()).isEqualTo(400);
            assertThat(a.emitAck("message:send", Map.of("receiverID", ben.id(), "message", 5)).get("statusCode").asInt()).isEqualTo(400);
            assertThat(a.emitAck("message:send", Map.of("receiverID", -3, "message", "x")).get("statusCode").asInt()).isEqualTo(400);
            assertThat(a.emitAck("user:typing", Map.of("receiverID", List.of(1))).get("statusCode").asInt()).isEqualTo(400);
            a.emit("no:such-event", Map.of("x", 1));
            a.emit("message:send"); // no payload, no ack
            a.emit("message:send", Map.of("big", "y".repeat(200_000))); // over the frame limit: dropped
            TestSocket.sleep(200);
            assertThat(api.get("/api/dialog", ann.accessToken()).data()).isEmpty();
        }
        try (var a = TestSocket.connectAs(socketPort(), ann)) { // node still healthy
            assertThat(sendOverSocket(a, ben.id(), "still fine", null).get("statusCode").asInt()).isEqualTo(200);
        }
    }

    @Test
    void readReceiptsEditsAndDeletesArriveLive() {
        var ann = signUp("Ann");
        var ben = signUp("Ben");
        try (var a = TestSocket.connectAs(socketPort(), ann); var b = TestSocket.connectAs(socketPort(), ben)) {
            long m1 = sendOverSocket(a, ben.id(), "one", null).get("data").get("messageID").asLong();
            long m2 = sendOverSocket(a, ben.id(), "two", null).get("data").get("messageID").asLong();
            assertThat(api.get("/api/message/read?message-id=" + m1, ben.accessToken()).status()).isEqualTo(200);
            var read = a.await("user:message_read", WAIT).payload();
            assertThat(read.get("receiverID").asLong()).isEqualTo(ben.id());
            assertThat(read.get("messageID").asLong()).isEqualTo(m1);

            api.get("/api/message/" + ann.id() + "?take=20&skip=0", ben.accessToken());
            var all = a.await("user:all_messages_read", WAIT).payload();
            assertThat(all.asLong()).isEqualTo(ben.id());
            assertThat(b.events("user:all_messages_read")).isEmpty();

            api.put("/api/message?message-id=" + m2, Map.of("message", "two (edited)"), ann.accessToken());
            for (var s : List.of(a, b)) {
                var upd = s.await("user:message_updated", WAIT).payload();
                assertThat(upd.get("messageID").asLong()).isEqualTo(m2);
                assertThat(upd.get("message").asString()).isEqualTo("two (edited)");
                assertThat(upd.get("isUpdated").asBoolean()).isTrue();
                assertThat(upd.get("isReaded").asBoolean()).isTrue();
            }
            api.delete("/api/message?message-id=" + m1, null, ann.accessToken());
            for (var s : List.of(a, b)) {
                var del = s.await("user:message_deleted", WAIT).payload();
                assertThat(del.get("messageID").asLong()).isEqualTo(m1);
                assertThat(del.get("senderID").asLong()).isEqualTo(ann.id());
                assertThat(del.get("receiverID").asLong()).isEqualTo(ben.id());
            }
        }
    }

    @Test
    void typingReachesTheReceiver() {
        var ann = signUp("Ann");
        var ben = signUp("Ben");
        api.post("/api/message/" + ben.id(), Map.of("message", "hi"), ann.accessToken()); // typing needs a shared dialog
        try (var a = TestSocket.connectAs(socketPort(), ann); var b = TestSocket.connectAs(socketPort(), ben)) {
            assertThat(a.emitAck("user:typing", Map.of("receiverID", ben.id())).get("statusCode").asInt()).isEqualTo(200);
            var t = b.await("user:typing", WAIT).payload();
            assertThat(t.get("userID").asLong()).isEqualTo(ann.id());
            assertThat(a.events("user:typing")).isEmpty();
        }
    }

    @Test
    void presenceIsAnnouncedToContactsOnFirstConnectAndLastDisconnect() {
        var ann = signUp("Ann");
        var ben = signUp("Ben");
        api.post("/api/message/" + ann.id(), Map.of("message", "hi"), ben.accessToken());
        try (var b = TestSocket.connectAs(socketPort(), ben)) {
            var a1 = TestSocket.connectAs(socketPort(), ann);
            var st = b.await("user:connection_status", WAIT).payload();
            assertThat(st.get("receiverID").asLong()).isEqualTo(ann.id());
            assertThat(st.get("connectionStatus").asString()).isEqualTo("online");
            assertThat(api.get("/api/dialog", ben.accessToken()).data().get(0).get("connectionStatus").asString()).isEqualTo("online");
            var sessions = api.get("/api/session", ann.accessToken()).data();
            assertThat(sessions.get(0).get("online").asBoolean()).isTrue();

            b.clear();
            var a2 = TestSocket.connectAs(socketPort(), ann); // second socket: no new event
            a1.close();
            b.assertQuiet("user:connection_status", Duration.ofMillis(300));
            a2.close();
            b.await("user:connection_status", p -> (p).get("connectionStatus").asString().equals("offline"), WAIT);
            assertThat(api.get("/api/dialog", ben.accessToken()).data().get(0).get("connectionStatus").asString()).isEqualTo("offline");
            assertThat(api.get("/api/session", ann.accessToken()).data().get(0).get("online").asBoolean()).isFalse();
            var lastSeen = userService.findById(ann.id()).orElseThrow().lastSeenAt();
            assertThat(lastSeen).isNotNull().isAfter(java.time.Instant.now().minusSeconds(30));
        }
    }

    @Test
    void revokingASessionDisconnectsItsSocketsWithinOneSecond() {
        var ann = signUp("Ann");
        var phone = login("Ann", ann.email(), PASSWORD, "Android", "App");
        try (var laptop = TestSocket.connectAs(socketPort(), ann); var p = TestSocket.connectAs(socketPort(), phone)) {
            String phoneSid = null;
            for (var s : api.get("/api/session", ann.accessToken()).data()) {
                if (!s.get("current").asBoolean()) phoneSid = s.get("sessionID").asString();
            }
            long t0 = System.nanoTime();
            assertThat(api.delete("/api/session/" + phoneSid, null, ann.accessToken()).status()).isEqualTo(200);
            p.await("user:invalid_token", Duration.ofSeconds(1));
            p.awaitDisconnected(Duration.ofSeconds(1));
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(1));
            laptop.assertQuiet("user:invalid_token", Duration.ofMillis(200));
            assertThat(laptop.isDisconnected()).isFalse();
        }
    }

    @Test
    void profileChangesReachContacts() {
        var ann = signUp("Ann");
        var ben = signUp("Ben");
        api.post("/api/message/" + ann.id(), Map.of("message", "hi"), ben.accessToken());
        try (var b = TestSocket.connectAs(socketPort(), ben)) {
            assertThat(api.post("/api/user/change/name", Map.of("newName", "Annie"), ann.accessToken()).status()).isEqualTo(200);
            var p = b.await("user:profile_updated", WAIT).payload();
            assertThat(p.get("userID").asLong()).isEqualTo(ann.id());
            assertThat(p.get("name").asString()).isEqualTo("Annie");
        }
    }

    @Test
    void syncReturnsExactlyWhatADisconnectedClientMissed() {
        var ann = signUp("Ann");
        var ben = signUp("Ben");
        long last;
        try (var b = TestSocket.connectAs(socketPort(), ben)) {
            api.post("/api/message/" + ben.id(), Map.of("message", "live"), ann.accessToken());
            last = mid(b.await("user:new_message", WAIT).payload());
        }
        long m1 = api.post("/api/message/" + ben.id(), Map.of("message", "missed 1"), ann.accessToken()).data().get("messageID").asLong();
        long m2 = api.post("/api/message/" + ben.id(), Map.of("message", "missed 2"), ann.accessToken()).data().get("messageID").asLong();
        var missed = api.get("/api/sync?after=" + last, ben.accessToken()).data();
        assertThat(missed).hasSize(2);
        assertThat(missed.get(0).get("messageID").asLong()).isEqualTo(m1);
        assertThat(missed.get(1).get("messageID").asLong()).isEqualTo(m2);
    }

    @Test
    void socketListenerAllowsOnlyConfiguredOrigins() {
        String url = "http://127.0.0.1:" + socketPort() + "/socket.io/?EIO=4&transport=polling";
        var evil = api.rawRequest(HttpRequest.newBuilder(URI.create(url)).header("Origin", "https://evil.example").GET().build());
        assertThat(evil.statusCode()).isEqualTo(403);
        var good = api.rawRequest(HttpRequest.newBuilder(URI.create(url)).header("Origin", "http://localhost:5173").GET().build());
        assertThat(good.statusCode()).isEqualTo(200);
        assertThat(good.headers().firstValue("Access-Control-Allow-Origin")).contains("http://localhost:5173");
    }
}
