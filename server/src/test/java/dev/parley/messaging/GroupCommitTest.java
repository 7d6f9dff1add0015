package dev.parley.messaging;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.micrometer.core.instrument.MeterRegistry;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import dev.parley.support.ApiClient;
import dev.parley.support.IntegrationTest;

import static org.assertj.core.api.Assertions.assertThat;

/** Concurrent sends share transactions, and each one is still stored, answered and isolated on its own. */
class GroupCommitTest extends IntegrationTest {
    @Autowired
    MeterRegistry meters;

    @Test
    void concurrentSendsAreAllStoredOnceAndABadOneFailsAlone() throws Exception {
        List<TestUser> senders = new ArrayList<>();
        for (int i = 0; i < 6; i++) senders.add(signUp("Gc" + i));
        TestUser receiver = signUp("GcInbox");
        TestUser gone = signUp("GcGone");
        assertThat(api.delete("/api/user", Map.of("password", PASSWORD), gone.accessToken()).status()).isEqualTo(200);
        double batchesBefore = batchCount();

        int perSender = 40;
        List<Future<ApiClient.Response>> good = new ArrayList<>();
        List<Future<ApiClient.Response>> bad = new ArrayList<>();
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int n = 0; n < perSender; n++) {
                for (TestUser s : senders) {
                    String text = s.name() + "#" + n;
                    good.add(pool.submit(() -> api.post("/api/message/" + receiver.id(),
                            Map.of("message", text, "clientMessageID", UUID.randomUUID().toString()), s.accessToken())));
                }
                if (n % 10 == 0) {
                    TestUser s = senders.get(n % senders.size());
                    bad.add(pool.submit(() -> api.post("/api/message/" + gone.id(), Map.of("message", "to nobody"), s.accessToken())));
                }
            }
        }
        Set<Long> ids = new HashSet<>();
        for (var f : good) {
            var r = f.get();
            assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
            assertThat(r.data().get("receiverID").asLong()).isEqualTo(receiver.id());
            ids.add(r.data().get("messageID").asLong());
        }
        for (var f : bad) {
            var r = f.get();
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.message()).isEqualTo("Receiver user not found");
        }
        assertThat(ids).hasSize(senders.size() * perSender);

        // every message is durable and in its dialog, each sender's texts exactly once
        for (TestUser s : senders) {
            List<String> texts = new ArrayList<>();
            for (int skip = 0; ; skip += 100) {
                var page = api.get("/api/message/" + s.id() + "?take=100&skip=" + skip, receiver.accessToken()).data();
                page.valueStream().forEach(m -> texts.add(m.get("message").asString()));
                if (page.size() < 100) break;
            }
            assertThat(texts).hasSize(perSender).doesNotHaveDuplicates().allMatch(t -> t.startsWith(s.name() + "#"));
        }
        assertThat(api.get("/api/dialog", receiver.accessToken()).data()).hasSize(senders.size());
        assertThat(api.get("/api/dialog", gone.accessToken()).status()).isEqualTo(401);
        // and they really were committed in groups
        double batches = batchCount() - batchesBefore;
        assertThat(batches).isGreaterThan(0).isLessThan(senders.size() * perSender);
    }

    @Autowired
    org.springframework.jdbc.core.simple.JdbcClient jdbc;

    @Test
    void aDialogRemovedBehindThisNodesBackIsCreatedAgain() {
        TestUser a = signUp("Cache");
        TestUser b = signUp("CacheTo");
        assertThat(api.post("/api/message/" + b.id(), Map.of("message", "one"), a.accessToken()).status()).isEqualTo(200);
        assertThat(api.post("/api/message/" + b.id(), Map.of("message", "two"), a.accessToken()).status()).isEqualTo(200);
        // another node deletes both messages and with them the dialog; this node still knows its id
        long low = Math.min(a.id(), b.id()), high = Math.max(a.id(), b.id());
        jdbc.sql("DELETE FROM messages WHERE conversation_id = (SELECT id FROM conversations WHERE direct_low = :l AND direct_high = :h)")
                .param("l", low).param("h", high).update();
        jdbc.sql("DELETE FROM conversations WHERE direct_low = :l AND direct_high = :h").param("l", low).param("h", high).update();

        var r = api.post("/api/message/" + b.id(), Map.of("message", "three"), a.accessToken());
        assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
        var history = api.get("/api/message/" + a.id() + "?take=10&skip=0", b.accessToken()).data();
        assertThat(history).hasSize(1);
        assertThat(history.get(0).get("message").asString()).isEqualTo("three");
        assertThat(api.get("/api/dialog", b.accessToken()).data().get(0).get("lastMessage").asString()).isEqualTo("three");
        // and the next one takes the fast path into the new dialog
        assertThat(api.post("/api/message/" + b.id(), Map.of("message", "four"), a.accessToken()).status()).isEqualTo(200);
        assertThat(api.get("/api/message/" + a.id() + "?take=10&skip=0", b.accessToken()).data()).hasSize(2);
    }

    private double batchCount() {
        var summary = meters.find("parley.messaging.send.batch.size").summary();
        return summary == null ? 0 : summary.count();
    }
}
