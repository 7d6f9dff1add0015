package dev.parley.messaging;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.parley.support.IntegrationTest;
import dev.parley.support.TestSocket;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What one user can make the server push to others is bounded: nothing is emitted when nothing
 * changed, edits are rate-limited, typing reaches only contacts. Absence is proven with a marker
 * event the same socket receives after the one that must not come.
 */
class EventEmissionLimitsTest extends IntegrationTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    private long send(TestUser from, TestUser to, String text) {
        var r = api.post("/api/message/" + to.id(), Map.of("message", text), from.accessToken());
        assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
        return r.data().get("messageID").asLong();
    }

    /** The marker: a message from {@code from}, awaited on {@code socket}. */
    private void marker(TestSocket socket, TestUser from, TestUser to) {
        long m = send(from, to, "marker");
        socket.await("user:new_message", p -> p.get("messageID").asLong() == m, WAIT);
    }

    @Test
    void aNewDialogCountsZeroSoTheClientsOwnCountMatchesTheServers() {
        var ann = signUp("Ann");
        var ben = signUp("Ben");
        try (var b = TestSocket.connectAs(socketPort(), ben)) {
            long last = 0;
            for (int i = 0; i < 3; i++) last = send(ann, ben, "m" + i);
            long lastId = last;
            b.await("user:new_message", p -> p.get("messageID").asLong() == lastId, WAIT);
            var dialog = b.await("user:new_dialog", WAIT).payload();
            assertThat(dialog.get("newMessagesCount").asLong()).isZero();
            // the core client: the dialog's count, plus one per user:new_message from the peer
            long clientCount = dialog.get("newMessagesCount").asLong() + b.events("user:new_message").stream()
                    .filter(e -> e.payload().get("senderID").asLong() == ann.id()).count();
            long serverCount = api.get("/api/dialog", ben.accessToken()).data().get(0).get("newMessagesCount").asLong();
            assertThat(clientCount).isEqualTo(serverCount).isEqualTo(3);
        }
    }

    @Test
    void aReadReceiptIsEmittedOnlyWhenTheReadMarkMoves() {
        var ann = signUp("Ann");
        var ben = signUp("Ben");
        long m1 = send(ann, ben, "one");
        long m2 = send(ann, ben, "two");
        try (var a = TestSocket.connectAs(socketPort(), ann)) {
            assertThat(api.get("/api/message/read?message-id=" + m2, ben.accessToken()).status()).isEqualTo(200);
            a.await("user:message_read", p -> p.get("messageID").asLong() == m2, WAIT);
            // already read: accepted, but nobody is told again
            assertThat(api.get("/api/message/read?message-id=" + m2, ben.accessToken()).status()).isEqualTo(200);
            assertThat(api.get("/api/message/read?message-id=" + m1, ben.accessToken()).status()).isEqualTo(200);
            marker(a, ben, ann);
            assertThat(a.events("user:message_read")).hasSize(1);
            long m3 = send(ann, ben, "three");
            assertThat(api.get("/api/message/read?message-id=" + m3, ben.accessToken()).status()).isEqualTo(200);
            a.await("user:message_read", p -> p.get("messageID").asLong() == m3, WAIT);
            assertThat(a.events("user:message_read")).hasSize(2);
        }
    }

    @Test
    void openingADialogEmitsAllReadOnlyWhenSomethingWasUnread() {
        var ann = signUp("Ann");
        var ben = signUp("Ben");
        send(ann, ben, "one");
        try (var a = TestSocket.connectAs(socketPort(), ann)) {
            String open = "/api/message/" + ann.id() + "?take=20&skip=0";
            assertThat(api.get(open, ben.accessToken()).data()).hasSize(1);
            a.await("user:all_messages_read", WAIT);
            // reopening, and opening after only Ben's own new message: nothing of Ann's was unread
            assertThat(api.get(open, ben.accessToken()).status()).isEqualTo(200);
            send(ben, ann, "reply");
            assertThat(api.get(open, ben.accessToken()).data()).hasSize(2);
            marker(a, ben, ann);
            assertThat(a.events("user:all_messages_read")).hasSize(1);
            // something new from Ann: opening tells her again
            send(ann, ben, "two");
            api.get(open, ben.accessToken());
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (a.events("user:all_messages_read").size() < 2 && System.nanoTime() < deadline) TestSocket.sleep(10);
            assertThat(a.events("user:all_messages_read")).hasSize(2);
        }
    }

    @Test
    void editsAreRateLimitedPerUser() {
        var ann = signUp("Ann");
        var ben = signUp("Ben");
        long m = send(ann, ben, "draft");
        try (var b = TestSocket.connectAs(socketPort(), ben)) {
            int ok = 0;
            var r = api.put("/api/message?message-id=" + m, Map.of("message", "v0"), ann.accessToken());
            while (r.status() == 200 && ok < 1000) {
                ok++;
                r = api.put("/api/message?message-id=" + m, Map.of("message", "v" + ok), ann.accessToken());
            }
            assertThat(r.status()).as(r.body().toString()).isEqualTo(429);
            assertThat(r.body().get("statusCode").asInt()).isEqualTo(429);
            assertThat(Long.parseLong(r.header("Retry-After"))).isBetween(1L, 60L);
            assertThat(ok).isEqualTo(30); // the default rule message-edit-user: 30/1m
            marker(b, ann, ben);
            assertThat(b.events("user:message_updated")).hasSize(ok);
            // the refused edit changed nothing
            var history = api.get("/api/message/" + ann.id() + "?take=5&skip=1", ben.accessToken()).data();
            assertThat(history.get(0).get("message").asString()).isEqualTo("v" + (ok - 1));
            // other users are not affected
            long theirs = send(ben, ann, "mine");
            assertThat(api.put("/api/message?message-id=" + theirs, Map.of("message", "mine, edited"), ben.accessToken()).status()).isEqualTo(200);
        }
    }

    @Test
    void typingReachesOnlySomeoneSharingADialog() {
        var ann = signUp("Ann");
        var ben = signUp("Ben");
        var stranger = signUp("Stranger");
        send(ann, ben, "hi");
        try (var b = TestSocket.connectAs(socketPort(), ben); var s = TestSocket.connectAs(socketPort(), stranger);
             var a = TestSocket.connectAs(socketPort(), ann)) {
            var refused = s.emitAck("user:typing", Map.of("receiverID", ben.id()));
            assertThat(refused.get("statusCode").asInt()).isEqualTo(403);
            // marker: a contact's typing, sent after the stranger's was answered
            assertThat(a.emitAck("user:typing", Map.of("receiverID", ben.id())).get("statusCode").asInt()).isEqualTo(200);
            b.await("user:typing", p -> p.get("userID").asLong() == ann.id(), WAIT);
            assertThat(b.events("user:typing")).hasSize(1);
            // once they share a dialog, the stranger's typing arrives too
            send(stranger, ben, "hello");
            assertThat(s.emitAck("user:typing", Map.of("receiverID", ben.id())).get("statusCode").asInt()).isEqualTo(200);
            b.await("user:typing", p -> p.get("userID").asLong() == stranger.id(), WAIT);
        }
    }
}
