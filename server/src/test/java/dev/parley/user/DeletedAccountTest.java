package dev.parley.user;

import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.parley.support.IntegrationTest;

import static org.assertj.core.api.Assertions.assertThat;

/** A deleted account's messages stay with the other party, under the name "Deleted account". */
class DeletedAccountTest extends IntegrationTest {

    @Test
    void theOtherPartyKeepsTheConversationWithADeletedAccount() {
        var ann = signUp("Ann");
        var ben = signUp("Ben");
        long fromAnn = api.post("/api/message/" + ben.id(), Map.of("message", "from ann"), ann.accessToken()).data().get("messageID").asLong();
        long fromBen = api.post("/api/message/" + ann.id(), Map.of("message", "from ben"), ben.accessToken()).data().get("messageID").asLong();

        assertThat(api.delete("/api/user", Map.of("password", PASSWORD), ann.accessToken()).status()).isEqualTo(200);

        var dialogs = api.get("/api/dialog", ben.accessToken()).data();
        assertThat(dialogs).hasSize(1);
        assertThat(dialogs.get(0).get("receiverID").asLong()).isEqualTo(ann.id());
        assertThat(dialogs.get(0).get("receiverName").asString()).isEqualTo("Deleted account");
        assertThat(dialogs.get(0).get("lastMessage").asString()).isEqualTo("from ben");

        var history = api.get("/api/message/" + ann.id() + "?take=10&before=" + Long.MAX_VALUE, ben.accessToken()).data();
        assertThat(history.valueStream().map(m -> m.get("messageID").asLong()).toList()).containsExactly(fromBen, fromAnn);
        assertThat(history.get(1).get("message").asString()).isEqualTo("from ann");
        assertThat(history.get(1).get("senderID").asLong()).isEqualTo(ann.id());
        assertThat(api.get("/api/sync?after=0", ben.accessToken()).data().valueStream()
                .map(m -> m.get("messageID").asLong()).toList()).containsExactly(fromAnn, fromBen);

        // the name is gone everywhere else too
        assertThat(api.get("/api/user/me", ann.accessToken()).status()).isEqualTo(401);
        assertThat(api.post("/api/user/search", Map.of("name", "Ann"), ben.accessToken()).data().valueStream()
                .map(h -> h.get("id").asLong()).toList()).doesNotContain(ann.id());
    }
}
