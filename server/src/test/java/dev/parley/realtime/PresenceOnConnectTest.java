package dev.parley.realtime;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.parley.support.IntegrationTest;
import dev.parley.support.TestSocket;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Status changes are pushed only as they happen; a socket that connects later (e.g. after a server
 * restart, reconnecting in another order than the client subscribed) is told right after
 * {@code user:connect_success} which of its user's contacts are online.
 */
class PresenceOnConnectTest extends IntegrationTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    @Test
    void aNewSocketLearnsWhichContactsAreOnline() {
        var ann = signUp("Ann");
        var ben = signUp("Ben");     // contact, online
        var carl = signUp("Carl");   // contact, offline
        var dora = signUp("Dora");   // online, but a stranger to Ann
        api.post("/api/message/" + ben.id(), Map.of("message", "hi Ben"), ann.accessToken());
        api.post("/api/message/" + ann.id(), Map.of("message", "hi Ann"), carl.accessToken());
        try (var b = TestSocket.connectAs(socketPort(), ben); var d = TestSocket.connectAs(socketPort(), dora);
             var a = TestSocket.connectAs(socketPort(), ann)) {
            var status = a.await("user:connection_status", p -> p.get("receiverID").asLong() == ben.id(), WAIT).payload();
            assertThat(status.get("connectionStatus").asString()).isEqualTo("online");
            // marker: anything pushed to this socket after the statuses (sent at once, in one go)
            long note = SocketGatewayTest.mid(SocketGatewayTest.sendOverSocket(a, ann.id(), "marker", null).get("data"));
            a.await("user:new_message", p -> p.get("messageID").asLong() == note, WAIT);
            assertThat(a.events("user:connection_status")).hasSize(1); // not Carl (offline), not Dora (no dialog)
            var order = a.events("user:connect_success").getFirst().atNanos();
            assertThat(a.events("user:connection_status").getFirst().atNanos()).isGreaterThanOrEqualTo(order);
        }
    }

    /** A repeated user:connect on an authenticated socket is confirmed and redoes nothing. */
    @Test
    void aRepeatedConnectIsConfirmedWithoutRedoingPresence() {
        var ann = signUp("Ann");
        var ben = signUp("Ben");
        api.post("/api/message/" + ben.id(), Map.of("message", "hi Ben"), ann.accessToken());
        try (var b = TestSocket.connectAs(socketPort(), ben); var a = TestSocket.connectAs(socketPort(), ann)) {
            a.await("user:connection_status", p -> p.get("receiverID").asLong() == ben.id(), WAIT);
            for (int i = 0; i < 3; i++) a.emit("user:connect");
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (a.events("user:connect_success").size() < 4 && System.nanoTime() < deadline) TestSocket.sleep(20);
            // marker: whatever the repeats pushed (presence, contacts) would have come right after their confirmations
            long note = SocketGatewayTest.mid(SocketGatewayTest.sendOverSocket(a, ann.id(), "marker", null).get("data"));
            a.await("user:new_message", p -> p.get("messageID").asLong() == note, WAIT);
            assertThat(a.events("user:connect_success")).hasSize(4);
            assertThat(a.events("user:connection_status")).hasSize(1); // the contacts were reported once
            assertThat(a.isDisconnected()).isFalse();
        }
    }
}
