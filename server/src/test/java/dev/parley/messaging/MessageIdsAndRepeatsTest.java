package dev.parley.messaging;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.parley.support.ApiClient;
import dev.parley.support.IntegrationTest;
import dev.parley.support.TestSocket;

import static org.assertj.core.api.Assertions.assertThat;

/** Ids that are not positive integers get 400 and change nothing; a repeated REST send emits nothing new
 * (only {@code sync:required} from just before the original, see docs/ARCHITECTURE.md "Delivery guarantees"). */
class MessageIdsAndRepeatsTest extends IntegrationTest {
    private static final List<String> BAD_IDS = List.of("0", "-1", "-9223372036854775808", "abc", "1.5", "1e3", "0x10",
            "99999999999999999999", "%20", "1%2C2");

    private static void assertBadRequest(ApiClient.Response r, String what) {
        assertThat(r.status()).as(what).isEqualTo(400);
        assertThat(r.body().get("statusCode").asInt()).as(what).isEqualTo(400);
        assertThat(r.body().get("error").asString()).as(what).isEqualTo("Bad Request");
        assertThat(r.message()).as(what).isNotBlank();
    }

    @Test
    void nonPositiveOrGarbageIdsAre400AndChangeNothing() {
        var ann = signUp("Ann");
        var ben = signUp("Ben");
        var sent = api.post("/api/message/" + ben.id(), Map.of("message", "original"), ann.accessToken());
        assertThat(sent.status()).isEqualTo(200);
        for (String id : BAD_IDS) {
            assertBadRequest(api.put("/api/message?message-id=" + id, Map.of("message", "changed"), ann.accessToken()), "PUT " + id);
            assertBadRequest(api.delete("/api/message?message-id=" + id, null, ann.accessToken()), "DELETE " + id);
            assertBadRequest(api.get("/api/message/read?message-id=" + id, ben.accessToken()), "read " + id);
            assertBadRequest(api.get("/api/message/" + id + "?take=10&skip=1", ann.accessToken()), "GET history " + id);
            assertBadRequest(api.get("/api/message/" + id + "/not-readed", ben.accessToken()), "not-readed " + id);
            assertBadRequest(api.post("/api/message/" + id, Map.of("message", "hi"), ann.accessToken()), "POST " + id);
        }
        for (String query : List.of("", "?message-id=", "?message-id=+")) {
            assertBadRequest(api.put("/api/message" + query, Map.of("message", "changed"), ann.accessToken()), "PUT " + query);
            assertBadRequest(api.delete("/api/message" + query, null, ann.accessToken()), "DELETE " + query);
        }
        var history = api.get("/api/message/" + ann.id() + "?take=10&before=" + Long.MAX_VALUE, ben.accessToken()).data();
        assertThat(history).hasSize(1);
        assertThat(history.get(0).get("message").asString()).isEqualTo("original");
        assertThat(history.get(0).get("isUpdated").asBoolean()).isFalse();
        assertThat(history.get(0).get("isReaded").asBoolean()).isFalse();
        assertThat(api.get("/api/message/" + ann.id() + "/not-readed", ben.accessToken()).data().asLong()).isEqualTo(1);
    }

    @Test
    void aRepeatedRestSendWithTheSameClientMessageIdEmitsNothingNew() {
        var ann = signUp("Ann");
        var ben = signUp("Ben");
        try (var a = TestSocket.connectAs(socketPort(), ann); var b = TestSocket.connectAs(socketPort(), ben)) {
            String cmid = UUID.randomUUID().toString();
            var body = Map.of("message", "once", "clientMessageID", cmid);
            var first = api.post("/api/message/" + ben.id(), body, ann.accessToken());
            var second = api.post("/api/message/" + ben.id(), body, ann.accessToken());
            assertThat(second.status()).isEqualTo(200);
            assertThat(second.data()).isEqualTo(first.data());
            // a new message sent after the repeat is the marker: anything the repeat emitted arrives before it
            long marker = api.post("/api/message/" + ben.id(), Map.of("message", "marker"), ann.accessToken()).data().get("messageID").asLong();
            long original = first.data().get("messageID").asLong();
            for (var s : List.of(a, b)) {
                s.await("user:new_message", p -> p.get("messageID").asLong() == marker, Duration.ofSeconds(5));
                assertThat(s.events("user:new_message").stream().map(e -> e.payload().get("messageID").asLong()).toList())
                        .containsExactly(original, marker);
                // the only thing the repeat sends: a hint to sync from just before the original
                assertThat(s.events("sync:required")).hasSize(1);
                assertThat(s.events("sync:required").getFirst().payload().get("after").asLong()).isEqualTo(original - 1);
                assertThat(s.events("user:new_dialog")).hasSize(1);
            }
            assertThat(api.get("/api/message/" + ann.id() + "?take=10&before=" + Long.MAX_VALUE, ben.accessToken()).data()).hasSize(2);
        }
    }
}
