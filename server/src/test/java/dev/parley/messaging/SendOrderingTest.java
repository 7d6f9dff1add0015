package dev.parley.messaging;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;

import dev.parley.support.IntegrationTest;
import dev.parley.support.TestSocket;

import static org.assertj.core.api.Assertions.assertThat;

/** Order guarantees clients build on: sync never skips a message, a socket's sends keep their order. */
class SendOrderingTest extends IntegrationTest {

    @Test
    void syncAfterTheHighestSeenIdMissesNothingWhileSendsRaceEachOther() throws Exception {
        List<TestUser> senders = new ArrayList<>();
        for (int i = 0; i < 6; i++) senders.add(signUp("Race" + i));
        TestUser inbox = signUp("RaceInbox");
        Set<Long> sent = java.util.concurrent.ConcurrentHashMap.newKeySet();
        Set<Long> synced = new HashSet<>();
        AtomicBoolean sending = new AtomicBoolean(true);
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> jobs = new ArrayList<>();
            for (TestUser s : senders) {
                for (int t = 0; t < 4; t++) {
                    jobs.add(pool.submit(() -> {
                        for (int n = 0; n < 15; n++) {
                            var r = api.post("/api/message/" + inbox.id(), Map.of("message", "m" + n), s.accessToken());
                            assertThat(r.status()).isEqualTo(200);
                            sent.add(r.data().get("messageID").asLong());
                        }
                    }));
                }
            }
            // the client: keeps asking for everything after the highest id it has seen
            Future<?> follower = pool.submit(() -> {
                long after = 0;
                while (true) {
                    boolean last = !sending.get();
                    var page = api.get("/api/sync?after=" + after + "&limit=500", inbox.accessToken()).data();
                    for (var m : page) {
                        synced.add(m.get("messageID").asLong());
                        after = Math.max(after, m.get("messageID").asLong());
                    }
                    if (last && page.size() < 500) return;
                }
            });
            for (var j : jobs) j.get();
            sending.set(false);
            follower.get();
        }
        assertThat(sent).hasSize(6 * 4 * 15);
        assertThat(synced).containsAll(sent);
    }

    @Test
    void oneSocketsPipelinedSendsAreStoredInTheOrderSent() {
        TestUser ann = signUp("Pipe");
        TestUser ben = signUp("PipeTo");
        try (var socket = TestSocket.connectAs(socketPort(), ann)) {
            for (int i = 0; i < 40; i++) {
                socket.emit("message:send", Map.of("receiverID", ben.id(), "message", "p" + i,
                        "clientMessageID", UUID.randomUUID().toString()));
            }
            List<String> stored = new ArrayList<>();
            for (int attempt = 0; attempt < 100 && stored.size() < 40; attempt++) {
                TestSocket.sleep(50);
                stored.clear();
                api.get("/api/message/" + ann.id() + "?take=100&before=" + Long.MAX_VALUE, ben.accessToken()).data()
                        .forEach(m -> stored.add(0, m.get("message").asString())); // newest first → oldest first
            }
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < 40; i++) expected.add("p" + i);
            assertThat(stored).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void openingADialogThatDoesNotExistPingsNobody() {
        TestUser stranger = signUp("Stranger");
        TestUser ann = signUp("Quiet");
        try (var socket = TestSocket.connectAs(socketPort(), ann)) {
            assertThat(api.get("/api/message/" + ann.id() + "?take=10&skip=0", stranger.accessToken()).data()).isEmpty();
            // with a dialog and something of Ann's unread, the event does come; it is also the marker:
            // one sent by the first read would have arrived before it
            api.post("/api/message/" + stranger.id(), Map.of("message", "hello"), ann.accessToken());
            api.get("/api/message/" + ann.id() + "?take=10&skip=0", stranger.accessToken());
            assertThat(socket.await("user:all_messages_read", java.time.Duration.ofSeconds(5)).payload().asLong()).isEqualTo(stranger.id());
            assertThat(socket.events("user:all_messages_read")).hasSize(1);
        }
    }
}
