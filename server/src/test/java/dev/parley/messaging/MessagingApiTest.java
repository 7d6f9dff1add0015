package dev.parley.messaging;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.parley.support.IntegrationTest;

import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

class MessagingApiTest extends IntegrationTest {

    private JsonNode send(TestUser from, TestUser to, String text) {
        var r = api.post("/api/message/" + to.id(), Map.of("message", text), from.accessToken());
        assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
        return r.data();
    }

    @Test
    void sendReturnsTheMessageObjectAndCreatesTheDialog() {
        var ann = signUp("Ann");
        var ben = signUp("Ben");
        var m = send(ann, ben, "  hello Ben  ");
        assertThat(m.get("messageID").asLong()).isPositive();
        assertThat(m.get("senderID").asLong()).isEqualTo(ann.id());
        assertThat(m.get("receiverID").asLong()).isEqualTo(ben.id());
        assertThat(m.get("message").asString()).isEqualTo("hello Ben");
        assertThat(m.get("createdAt").asString()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?(Z|[+-]\\d\\d:\\d\\d)");
        assertThat(m.get("updatedAt").asString()).isEqualTo(m.get("createdAt").asString());
        assertThat(m.get("isUpdated").asBoolean()).isFalse();
        assertThat(m.get("isReaded").asBoolean()).isFalse();

        var dialogs = api.get("/api/dialog", ben.accessToken()).data();
        assertThat(dialogs).hasSize(1);
        var d = dialogs.get(0);
        assertThat(d.get("receiverID").asLong()).isEqualTo(ann.id());
        assertThat(d.get("receiverName").asString()).isEqualTo("Ann");
        assertThat(d.get("lastMessage").asString()).isEqualTo("hello Ben");
        assertThat(d.get("createdAt").asString()).isEqualTo(m.get("createdAt").asString());
        assertThat(d.get("newMessagesCount").asLong()).isEqualTo(1);
        assertThat(d.get("connectionStatus").asString()).isEqualTo("offline");
        assertThat(api.get("/api/dialog", ann.accessToken()).data().get(0).get("newMessagesCount").asLong()).isZero();
        assertThat(api.get("/api/message/" + ann.id() + "/not-readed", ben.accessToken()).data().asLong()).isEqualTo(1);
        assertThat(api.get("/api/message/" + ben.id() + "/not-readed", ann.accessToken()).data().asLong()).isZero();
    }

    @Test
    void aNoteToOneselfIsReadAtOnce() {
        var ann = signUp("Ann");
        var m = send(ann, ann, "remember the milk");
        assertThat(m.get("isReaded").asBoolean()).isTrue();
        var page = api.get("/api/message/" + ann.id() + "?take=10&skip=5", ann.accessToken()).data();
        assertThat(page).isEmpty();
        page = api.get("/api/message/" + ann.id() + "?take=10&skip=0", ann.accessToken()).data();
        assertThat(page).hasSize(1);
        assertThat(page.get(0).get("isReaded").asBoolean()).isTrue();
        var dialogs = api.get("/api/dialog", ann.accessToken()).data();
        assertThat(dialogs).hasSize(1);
        assertThat(dialogs.get(0).get("receiverID").asLong()).isEqualTo(ann.id());
        assertThat(dialogs.get(0).get("newMessagesCount").asLong()).isZero();
    }

    @Test
    void historyNewestFirstOffsetAndKeysetPagesAgreeAndSkipZeroMarksRead() {
        var ann = signUp("Ann");
        var ben = signUp("Ben");
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 25; i++) ids.add(send(i < 5 ? ben : ann, i < 5 ? ann : ben, "m" + i).get("messageID").asLong());

        // Ben reads with skip=10 first: nothing is marked read
        var offset2 = api.get("/api/message/" + ann.id() + "?take=10&skip=10", ben.accessToken()).data();
        assertThat(api.get("/api/message/" + ann.id() + "/not-readed", ben.accessToken()).data().asLong()).isEqualTo(20);

        var offset1 = api.get("/api/message/" + ann.id() + "?take=10&skip=0", ben.accessToken()).data();
        assertThat(ids(offset1)).isEqualTo(ids.reversed().subList(0, 10));
        assertThat(ids(offset2)).isEqualTo(ids.reversed().subList(10, 20));
        var keyset2 = api.get("/api/message/" + ann.id() + "?take=10&before=" + ids(offset1).getLast(), ben.accessToken()).data();
        assertThat(ids(keyset2)).isEqualTo(ids(offset2));
        var keyset3 = api.get("/api/message/" + ann.id() + "?take=10&before=" + ids(keyset2).getLast(), ben.accessToken()).data();
        assertThat(ids(keyset3)).isEqualTo(ids.reversed().subList(20, 25));

        // skip=0 marked everything from Ann read; Ann's view shows it
        assertThat(api.get("/api/message/" + ann.id() + "/not-readed", ben.accessToken()).data().asLong()).isZero();
        var annView = api.get("/api/message/" + ben.id() + "?take=100&skip=3", ann.accessToken()).data();
        for (JsonNode m : annView) assertThat(m.get("isReaded").asBoolean()).isTrue();
        // Ann's own sends advanced her read mark past Ben's messages
        assertThat(api.get("/api/message/" + ben.id() + "/not-readed", ann.accessToken()).data().asLong()).isZero();
    }

    @Test
    void readReceiptMarksThatMessageAndEarlierOnlyForTheReceiver() {
        var ann = signUp("Ann");
        var ben = signUp("Ben");
        long m1 = send(ann, ben, "one").get("messageID").asLong();
        long m2 = send(ann, ben, "two").get("messageID").asLong();
        long m3 = send(ann, ben, "three").get("messageID").asLong();
        var notReceiver = api.get("/api/message/read?message-id=" + m2, ann.accessToken());
        assertThat(notReceiver.status()).isEqualTo(401);
        assertThat(api.get("/api/message/read?message-id=" + m2, ben.accessToken()).status()).isEqualTo(200);
        assertThat(api.get("/api/message/" + ann.id() + "/not-readed", ben.accessToken()).data().asLong()).isEqualTo(1);
        var page = api.get("/api/message/" + ben.id() + "?take=10&skip=0", ann.accessToken()).data();
        assertThat(page.get(0).get("messageID").asLong()).isEqualTo(m3);
        assertThat(page.get(0).get("isReaded").asBoolean()).isFalse();
        assertThat(page.get(1).get("isReaded").asBoolean()).isTrue();
        assertThat(page.get(2).get("messageID").asLong()).isEqualTo(m1);
        assertThat(page.get(2).get("isReaded").asBoolean()).isTrue();
        assertThat(api.get("/api/message/read?message-id=999999999", ben.accessToken()).status()).isEqualTo(400);
        assertThat(api.get("/api/message/read?message-id=abc", ben.accessToken()).status()).isEqualTo(400);
    }

    @Test
    void editAndDeleteAreForTheSenderOnlyAndTheLastDeleteRemovesTheDialog() {
        var ann = signUp("Ann");
        var ben = signUp("Ben");
        long m1 = send(ann, ben, "one").get("messageID").asLong();
        long m2 = send(ben, ann, "two").get("messageID").asLong();
        assertThat(api.put("/api/message?message-id=" + m1, Map.of("message", "one!"), ben.accessToken()).status()).isEqualTo(401);
        assertThat(api.put("/api/message?message-id=" + m1, Map.of("message", " "), ann.accessToken()).status()).isEqualTo(400);
        assertThat(api.put("/api/message?message-id=999999999", Map.of("message", "x"), ann.accessToken()).status()).isEqualTo(400);
        assertThat(api.put("/api/message?message-id=" + m1, Map.of("message", "one!"), ann.accessToken()).status()).isEqualTo(200);
        var page = api.get("/api/message/" + ben.id() + "?take=10&skip=1", ann.accessToken()).data();
        assertThat(page.get(0).get("message").asString()).isEqualTo("one!");
        assertThat(page.get(0).get("isUpdated").asBoolean()).isTrue();
        assertThat(page.get(0).get("updatedAt").asString()).isNotEqualTo(page.get(0).get("createdAt").asString());

        assertThat(api.delete("/api/message?message-id=" + m2, null, ann.accessToken()).status()).isEqualTo(401);
        assertThat(api.delete("/api/message?message-id=" + m2, null, ben.accessToken()).status()).isEqualTo(200);
        assertThat(api.get("/api/dialog", ann.accessToken()).data()).hasSize(1);
        assertThat(api.delete("/api/message?message-id=" + m1, null, ann.accessToken()).status()).isEqualTo(200);
        assertThat(api.get("/api/dialog", ann.accessToken()).data()).isEmpty();
        assertThat(api.get("/api/dialog", ben.accessToken()).data()).isEmpty();
        assertThat(api.delete("/api/message?message-id=" + m1, null, ann.accessToken()).status()).isEqualTo(400);
        // and a new message starts a new dialog
        send(ben, ann, "again");
        assertThat(api.get("/api/dialog", ann.accessToken()).data()).hasSize(1);
    }

    @Test
    void dialogListIsMostRecentFirstWithUnreadCounts() {
        var ann = signUp("Ann");
        var ben = signUp("Ben");
        var cat = signUp("Cat");
        send(ben, ann, "from ben");
        send(cat, ann, "from cat 1");
        send(cat, ann, "from cat 2");
        send(ann, ben, "to ben");
        var d = api.get("/api/dialog", ann.accessToken()).data();
        assertThat(d).hasSize(2);
        assertThat(d.get(0).get("receiverID").asLong()).isEqualTo(ben.id());
        assertThat(d.get(0).get("lastMessage").asString()).isEqualTo("to ben");
        assertThat(d.get(0).get("newMessagesCount").asLong()).isZero(); // sending advances the sender's read mark
        assertThat(d.get(1).get("receiverID").asLong()).isEqualTo(cat.id());
        assertThat(d.get(1).get("newMessagesCount").asLong()).isEqualTo(2);
    }

    @Test
    void clientMessageIdMakesSendIdempotent() {
        var ann = signUp("Ann");
        var ben = signUp("Ben");
        String cmid = UUID.randomUUID().toString();
        var first = api.post("/api/message/" + ben.id(), Map.of("message", "once", "clientMessageID", cmid), ann.accessToken());
        var again = api.post("/api/message/" + ben.id(), Map.of("message", "once", "clientMessageID", cmid), ann.accessToken());
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.data()).isEqualTo(first.data());
        assertThat(api.get("/api/message/" + ann.id() + "?take=10&skip=1", ben.accessToken()).data()).isEmpty();
        assertThat(api.post("/api/message/" + ben.id(), Map.of("message", "x", "clientMessageID", "nope"), ann.accessToken()).status()).isEqualTo(400);
    }

    @Test
    void syncReturnsEverythingAfterAnIdAscending() {
        var ann = signUp("Ann");
        var ben = signUp("Ben");
        var cat = signUp("Cat");
        long before = send(ben, ann, "seen").get("messageID").asLong();
        long a = send(ben, ann, "missed 1").get("messageID").asLong();
        long b = send(cat, ann, "missed 2").get("messageID").asLong();
        long c = send(ann, cat, "sent elsewhere").get("messageID").asLong();
        send(ben, cat, "not mine");
        var r = api.get("/api/sync?after=" + before + "&limit=10", ann.accessToken()).data();
        assertThat(ids(r)).containsExactly(a, b, c);
        assertThat(ids(api.get("/api/sync?after=" + before + "&limit=2", ann.accessToken()).data())).containsExactly(a, b);
        assertThat(api.get("/api/sync?after=x", ann.accessToken()).status()).isEqualTo(400);
    }

    @Test
    void badInputIs4xxAndStoresNothing() {
        var ann = signUp("Ann");
        assertThat(api.post("/api/message/999999999", Map.of("message", "hi"), ann.accessToken()).message()).isEqualTo("Receiver user not found");
        assertThat(api.post("/api/message/999999999", Map.of("message", "hi"), ann.accessToken()).status()).isEqualTo(400);
        assertThat(api.post("/api/message/0", Map.of("message", "hi"), ann.accessToken()).status()).isEqualTo(400);
        assertThat(api.post("/api/message/abc", Map.of("message", "hi"), ann.accessToken()).status()).isEqualTo(400);
        assertThat(api.post("/api/message/" + ann.id(), Map.of("message", "   "), ann.accessToken()).status()).isEqualTo(400);
        assertThat(api.post("/api/message/" + ann.id(), Map.of("message", "x".repeat(4097)), ann.accessToken()).status()).isEqualTo(400);
        assertThat(api.post("/api/message/" + ann.id(), Map.of("message", 42), ann.accessToken()).status()).isEqualTo(400);
        assertThat(api.post("/api/message/" + ann.id(), "{nope", ann.accessToken()).status()).isEqualTo(400);
        assertThat(api.post("/api/message/" + ann.id(), Map.of("message", "hi")).status()).isEqualTo(401);
        assertThat(api.get("/api/message/" + ann.id() + "?take=0", ann.accessToken()).status()).isEqualTo(400);
        assertThat(api.get("/api/message/" + ann.id() + "?take=101", ann.accessToken()).status()).isEqualTo(400);
        assertThat(api.get("/api/message/" + ann.id() + "?skip=-1", ann.accessToken()).status()).isEqualTo(400);
        assertThat(api.get("/api/message/" + ann.id() + "?before=0", ann.accessToken()).status()).isEqualTo(400);
        assertThat(api.get("/api/dialog").status()).isEqualTo(401);
        assertThat(api.get("/api/dialog", ann.accessToken()).data()).isEmpty();
    }

    static List<Long> ids(JsonNode page) {
        List<Long> out = new ArrayList<>();
        for (JsonNode m : page) out.add(m.get("messageID").asLong());
        return out;
    }
}
