package dev.parley.realtime;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.parley.support.IntegrationTest;
import dev.parley.support.NodeV2Socket;
import dev.parley.support.TestSocket;

import static org.assertj.core.api.Assertions.assertThat;

/** A socket.io-client 2.x (Node, Engine.IO 3) and a 4.x client (Java, Engine.IO 4) talk through the server. */
class ProtocolVersionsTest extends IntegrationTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    @Test
    void aV2ClientAndAV4ClientConverse() {
        var ann = signUp("Ann");
        var ben = signUp("Ben");
        // user:connect is emitted while polling pauses for the upgrade: the hardest moment for the server
        try (var v2 = NodeV2Socket.connect(socketPort(), ann.accessToken(), List.of("polling", "websocket"), "user:connect");
             var v4 = TestSocket.connectAs(socketPort(), ben)) {
            v2.await("user:connect_success", Duration.ofSeconds(1));
            v2.awaitLine(l -> l.path("type").asString().equals("upgrade"), WAIT); // polling upgraded to websocket

            var ack = v2.emitAck("message:send", Map.of("receiverID", ben.id(), "message", "hi from v2"));
            assertThat(ack.get("statusCode").asInt()).isEqualTo(200);
            long m1 = ack.get("data").get("messageID").asLong();
            var got = v4.await("user:new_message", p -> p.get("messageID").asLong() == m1, WAIT).payload();
            assertThat(got.get("message").asString()).isEqualTo("hi from v2");
            assertThat(v4.await("user:new_dialog", WAIT).payload().get("receiverName").asString()).isEqualTo("Ann");

            long m2 = SocketGatewayTest.sendOverSocket(v4, ann.id(), "hi from v4", null).get("data").get("messageID").asLong();
            var back = v2.await("user:new_message", p -> p.get("messageID").asLong() == m2, WAIT);
            assertThat(back.get("senderID").asLong()).isEqualTo(ben.id());
            assertThat(back.get("isReaded").asBoolean()).isFalse();

            v4.emit("user:typing", Map.of("receiverID", ann.id()));
            assertThat(v2.await("user:typing", WAIT).get("userID").asLong()).isEqualTo(ben.id());

            api.get("/api/message/read?message-id=" + m2, ann.accessToken());
            assertThat(v4.await("user:message_read", WAIT).payload().get("messageID").asLong()).isEqualTo(m2);
            SocketGatewayTest.sendOverSocket(v4, ann.id(), "unread until the dialog is opened", null);
            api.get("/api/message/" + ben.id() + "?take=10&skip=0", ann.accessToken());
            assertThat(v4.await("user:all_messages_read", WAIT).payload().asLong()).isEqualTo(ann.id());

            var bad = v2.emitAck("message:send", Map.of("receiverID", 999_999_999L, "message", "x"));
            assertThat(bad.get("statusCode").asInt()).isEqualTo(400);
            assertThat(bad.get("message").asString()).isEqualTo("Receiver user not found");
        }
    }

    @Test
    void aV2ClientWithABadTokenIsTurnedAway() {
        try (var v2 = NodeV2Socket.connect(socketPort(), "garbage", List.of("websocket"))) {
            v2.emit("user:connect");
            v2.await("user:invalid_token", WAIT);
            v2.awaitLine(l -> l.path("type").asString().equals("disconnect"), WAIT);
            assertThat(v2.events("user:connect_success")).isEmpty();
        }
    }

    @Test
    void aV2PollingOnlyClientWorks() {
        var ann = signUp("Ann");
        try (var v2 = NodeV2Socket.connect(socketPort(), ann.accessToken(), List.of("polling"))) {
            v2.emit("user:connect");
            v2.await("user:connect_success", WAIT);
            api.post("/api/message/" + ann.id(), Map.of("message", "note"), ann.accessToken());
            var note = v2.await("user:new_message", WAIT);
            assertThat(note.get("isReaded").asBoolean()).isTrue();
        }
    }
}
