package dev.parley.messaging;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

import dev.parley.support.IntegrationTest;
import dev.parley.support.TestSocket;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Offset history pages are found by position (V3__history_positions.sql) instead of walking
 * {@code skip} index entries; these tests hold them to exactly what plain {@code OFFSET} returns on
 * the same data, through sends in batches, deletions anywhere (newest, oldest, bursts, everything)
 * and sends arriving while pages are read.
 */
class OffsetHistoryTest extends IntegrationTest {
    private static final int[] TAKES = {1, 2, 3, 7, 20, 100};

    @Autowired
    MessagingService messaging;
    @Autowired
    MessageRepository repo;
    @Autowired
    JdbcClient jdbc;
    @Autowired
    PlatformTransactionManager txManager;

    /** The statement offset pages used before positions: the reference. */
    private List<Long> plainOffset(long a, long b, int take, int skip) {
        return jdbc.sql("""
                SELECT x.id FROM conversations c JOIN messages x ON x.conversation_id = c.id
                WHERE c.kind = 1 AND c.direct_low = :low AND c.direct_high = :high
                ORDER BY x.id DESC LIMIT :take OFFSET :skip""")
                .param("low", Math.min(a, b)).param("high", Math.max(a, b)).param("take", take).param("skip", skip)
                .query(Long.class).list();
    }

    private List<Long> offsetPage(long me, long peer, int take, int skip) {
        return repo.history(me, peer, take, skip, null).stream().map(MessageView::messageID).toList();
    }

    /**
     * Offset pages for every skip from 0 to past the end (a random sample of skips in a long
     * dialog), each with a random take, against slices of the whole dialog read once with plain
     * {@code ORDER BY id DESC} — which is what {@code LIMIT take OFFSET skip} returns.
     */
    private void assertPagesMatch(long a, long b, Random rnd, String seedNote) {
        List<Long> all = plainOffset(a, b, Integer.MAX_VALUE, 0);
        int total = all.size();
        List<Integer> skips = new ArrayList<>(List.of(0, 1, total - 1, total, total + 1, total + 1000, Integer.MAX_VALUE));
        if (total <= 400) {
            for (int s = 2; s < total - 1; s++) skips.add(s);
        } else {
            for (int i = 0; i < 300; i++) skips.add(rnd.nextInt(total + 2));
        }
        for (int skip : skips) {
            if (skip < 0) continue;
            for (int take : new int[] {TAKES[rnd.nextInt(TAKES.length)], 1 + rnd.nextInt(MessagingService.TAKE_MAX)}) {
                long me = rnd.nextBoolean() ? a : b, peer = me == a ? b : a;
                List<Long> expected = skip >= total ? List.of() : all.subList(skip, Math.min(total, skip + take));
                assertThat(offsetPage(me, peer, take, skip))
                        .as("take=%d skip=%d of %d (%s)", take, skip, total, seedNote)
                        .isEqualTo(expected);
            }
        }
        // and straight against the OFFSET statement, a few at random
        for (int i = 0; i < 20; i++) {
            int take = TAKES[rnd.nextInt(TAKES.length)], skip = rnd.nextInt(total + 3);
            assertThat(offsetPage(a, b, take, skip)).as("take=%d skip=%d (%s)", take, skip, seedNote)
                    .isEqualTo(plainOffset(a, b, take, skip));
        }
    }

    /** Sends {@code n} messages, alternating sides, many at once so that they share batches. */
    private List<Long> sendBurst(TestUser a, TestUser b, int n) throws Exception {
        List<Future<MessagingService.SendResult>> sent = new ArrayList<>();
        // 64 at a time: under the service's in-flight limit, enough to fill batches
        try (var pool = Executors.newFixedThreadPool(64, Thread.ofVirtual().factory())) {
            for (int i = 0; i < n; i++) {
                boolean fromA = i % 2 == 0;
                String text = "m" + i;
                sent.add(pool.submit(() -> messaging.send(fromA ? a.id() : b.id(), fromA ? b.id() : a.id(), text,
                        UUID.randomUUID().toString())));
            }
        }
        List<Long> ids = new ArrayList<>();
        for (var f : sent) ids.add(f.get().message().messageID());
        return ids;
    }

    /** Deletes through the service (as its sender), like DELETE /api/message. */
    private void delete(long messageId) {
        long sender = jdbc.sql("SELECT sender_id FROM messages WHERE id = :id").param("id", messageId).query(Long.class).single();
        messaging.delete(sender, messageId);
    }

    private List<Long> liveIdsOldestFirst(long a, long b) {
        return plainOffset(a, b, Integer.MAX_VALUE, 0).reversed();
    }

    @Test
    void offsetPagesEqualPlainOffsetThroughRandomSendsAndDeletions() throws Exception {
        for (long seed : new long[] {1, 2}) {
            Random rnd = new Random(seed);
            TestUser a = signUp("Off" + seed), b = signUp("Set" + seed);
            String note = "seed " + seed;
            assertPagesMatch(a.id(), b.id(), rnd, note + ", no dialog yet");
            for (int round = 0; round < 8; round++) {
                sendBurst(a, b, 1 + rnd.nextInt(60));
                List<Long> live = liveIdsOldestFirst(a.id(), b.id());
                switch (round % 4) {
                    case 0 -> delete(live.getLast());                                   // the newest
                    case 1 -> delete(live.getFirst());                                  // the oldest
                    case 2 -> {                                                          // a run in the middle
                        int from = rnd.nextInt(live.size()), len = Math.min(live.size() - from, 1 + rnd.nextInt(12));
                        for (long id : live.subList(from, from + len)) delete(id);
                    }
                    default -> {                                                         // scattered
                        for (long id : live) if (rnd.nextInt(5) == 0) delete(id);
                    }
                }
                assertPagesMatch(a.id(), b.id(), rnd, note + ", round " + round);
            }
            // newest-first deletions (each hole below the previous ones), then everything: the dialog goes
            List<Long> live = liveIdsOldestFirst(a.id(), b.id());
            for (long id : live.reversed().subList(0, live.size() / 2)) delete(id);
            assertPagesMatch(a.id(), b.id(), rnd, note + ", newest half deleted");
            for (long id : liveIdsOldestFirst(a.id(), b.id())) delete(id);
            assertThat(jdbc.sql("SELECT count(*) FROM conversations WHERE direct_low = :l AND direct_high = :h")
                    .param("l", Math.min(a.id(), b.id())).param("h", Math.max(a.id(), b.id())).query(Long.class).single())
                    .as("the dialog went with its last message").isZero();
            // a new dialog between the same users starts afresh
            sendBurst(a, b, 5);
            delete(liveIdsOldestFirst(a.id(), b.id()).get(2));
            assertPagesMatch(a.id(), b.id(), rnd, note + ", dialog created again");
        }
    }

    @Test
    void deepPagesInALongDialogWithManyHolesEqualPlainOffset() throws Exception {
        Random rnd = new Random(42);
        TestUser a = signUp("Long"), b = signUp("Dialog");
        sendBurst(a, b, 2500);
        for (long id : liveIdsOldestFirst(a.id(), b.id())) if (rnd.nextInt(3) == 0) delete(id);
        sendBurst(a, b, 300);
        List<Long> live = liveIdsOldestFirst(a.id(), b.id());
        for (long id : live.subList(live.size() - 40, live.size())) delete(id); // a burst at the top
        for (long id : live.subList(0, 40)) delete(id);                          // and at the bottom
        assertPagesMatch(a.id(), b.id(), rnd, "2,800 sent, ~900 deleted");
    }

    @Test
    void pagesReadWhileOthersSendAndDeleteMatchPlainOffsetOnTheSameSnapshot() throws Exception {
        TestUser a = signUp("Busy"), b = signUp("Reader");
        sendBurst(a, b, 200);
        var snapshot = new TransactionTemplate(txManager);
        snapshot.setIsolationLevel(TransactionDefinition.ISOLATION_REPEATABLE_READ);
        snapshot.setReadOnly(true);
        int perWriter = 150;
        AtomicInteger sends = new AtomicInteger(), deletes = new AtomicInteger();
        AtomicBoolean writing = new AtomicBoolean(true);
        int compared = 0;
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> writers = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                boolean fromA = w % 2 == 0;
                writers.add(pool.submit(() -> {
                    for (int i = 0; i < perWriter; i++) {
                        messaging.send(fromA ? a.id() : b.id(), fromA ? b.id() : a.id(), "live " + i, null);
                        sends.incrementAndGet();
                        Thread.sleep(2); // spread over the reading loop
                    }
                    return null;
                }));
            }
            Future<?> deleter = pool.submit(() -> {
                Random rnd = new Random(7);
                while (writing.get()) {
                    // mostly among the newest (the usual delete), sometimes anywhere
                    int skip = rnd.nextInt(4) == 0 ? rnd.nextInt(150) : rnd.nextInt(3);
                    List<Long> victim = plainOffset(a.id(), b.id(), 1, skip);
                    if (!victim.isEmpty()) {
                        delete(victim.getFirst());
                        deletes.incrementAndGet();
                    }
                    Thread.sleep(5);
                }
                return null;
            });
            Random rnd = new Random(11);
            while (writing.get() || compared < 100) {
                int take = TAKES[rnd.nextInt(TAKES.length)];
                int skip = rnd.nextInt(rnd.nextBoolean() ? 20 : 900);
                long me = rnd.nextBoolean() ? a.id() : b.id(), peer = me == a.id() ? b.id() : a.id();
                List<List<Long>> both = snapshot.execute(s -> List.of(offsetPage(me, peer, take, skip), plainOffset(a.id(), b.id(), take, skip)));
                assertThat(both.get(0)).as("take=%d skip=%d", take, skip).isEqualTo(both.get(1));
                compared++;
                if (writers.stream().allMatch(Future::isDone)) writing.set(false);
            }
            for (var f : writers) f.get();
            deleter.get();
        }
        assertThat(sends.get()).isEqualTo(4 * perWriter);
        assertThat(deletes.get()).as("messages were deleted while reading").isGreaterThan(5);
        assertThat(compared).isGreaterThanOrEqualTo(100);
        assertPagesMatch(a.id(), b.id(), new Random(5), "after the concurrent run");
    }

    @Test
    void skipZeroStillReturnsTheNewestPageMarksReadAndTellsThePeer() throws Exception {
        TestUser ann = signUp("Opener"), ben = signUp("Writer");
        sendBurst(ann, ben, 30);
        List<Long> live = liveIdsOldestFirst(ann.id(), ben.id());
        delete(live.getLast());
        delete(live.get(10));
        api.post("/api/message/" + ann.id(), Map.of("message", "unread one"), ben.accessToken());
        assertThat(api.get("/api/message/" + ben.id() + "/not-readed", ann.accessToken()).data().asLong()).isPositive();
        try (var socket = TestSocket.connectAs(socketPort(), ben)) {
            var page = api.get("/api/message/" + ben.id() + "?take=10&skip=0", ann.accessToken()).data();
            List<Long> ids = new ArrayList<>();
            page.valueStream().forEach(m -> ids.add(m.get("messageID").asLong()));
            assertThat(ids).isEqualTo(plainOffset(ann.id(), ben.id(), 10, 0));
            assertThat(page.get(0).get("message").asString()).isEqualTo("unread one");
            assertThat(socket.await("user:all_messages_read", Duration.ofSeconds(10)).payload().asLong()).isEqualTo(ann.id());
        }
        assertThat(api.get("/api/message/" + ben.id() + "/not-readed", ann.accessToken()).data().asLong()).isZero();
        // and a deep page over REST is the same as plain OFFSET, read flags included
        var deep = api.get("/api/message/" + ben.id() + "?take=5&skip=12", ann.accessToken()).data();
        List<Long> deepIds = new ArrayList<>();
        deep.valueStream().forEach(m -> {
            deepIds.add(m.get("messageID").asLong());
            // Ben's messages were read by opening the dialog; Ann's stay unread until Ben opens it
            assertThat(m.get("isReaded").asBoolean()).isEqualTo(m.get("senderID").asLong() == ben.id());
        });
        assertThat(deepIds).isEqualTo(plainOffset(ann.id(), ben.id(), 5, 12));
    }
}
