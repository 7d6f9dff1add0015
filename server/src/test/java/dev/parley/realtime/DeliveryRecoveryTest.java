package dev.parley.realtime;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.core.StringRedisTemplate;

import dev.parley.platform.RedisKeys;
import dev.parley.support.IntegrationTest;
import dev.parley.support.TestSocket;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The node side of gap-free delivery (docs/ARCHITECTURE.md, "Delivery guarantees"), driven through
 * the real fan-out channel: fan-out messages are published on it as another node would, with
 * their sequence numbers skipping, repeating or reported by a heartbeat.
 */
class DeliveryRecoveryTest extends IntegrationTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    @Autowired StringRedisTemplate redis;
    @Autowired RedisKeys keys;
    @Autowired ClusterBus bus;
    @Autowired org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory factory;

    private void publish(String raw) {
        redis.convertAndSend(keys.of("rt-fanout"), raw);
    }

    private static String typing(String origin, long seq, long to, long marker) {
        return "F\n" + origin + ":" + seq + "\n" + to + "\nuser:typing\n{\"userID\":" + marker + "}";
    }

    @Test
    void aSkippedSequenceNumberMakesTheNodesSocketsResyncFromBeforeTheLoss() {
        var ann = signUp("Ann");
        var ben = signUp("Ben");
        long seen = api.post("/api/message/" + ann.id(), Map.of("message", "before the loss"), ben.accessToken())
                .data().get("messageID").asLong();
        String origin = "other-node-" + System.nanoTime();
        try (var s = TestSocket.connectAs(socketPort(), ann)) {
            publish(typing(origin, 1, ann.id(), 101));
            s.await("user:typing", p -> p.get("userID").asLong() == 101, WAIT);
            assertThat(s.events("sync:required")).isEmpty();
            publish(typing(origin, 3, ann.id(), 103)); // number 2 never arrived
            var resync = s.await("sync:required", WAIT);
            // the point is at or before everything this node had: a client syncing from it misses nothing
            assertThat(resync.payload().get("after").asLong()).isBetween(0L, seen);
            s.await("user:typing", p -> p.get("userID").asLong() == 103, WAIT); // the message itself still arrives

            publish(typing(origin, 3, ann.id(), 103)); // a repeat is dropped
            publish(typing(origin, 4, ann.id(), 104));
            s.await("user:typing", p -> p.get("userID").asLong() == 104, WAIT);
            assertThat(s.events("user:typing").stream().filter(e -> e.payload().get("userID").asLong() == 103)).hasSize(1);
            assertThat(s.events("sync:required")).hasSize(1);
        } finally {
            publish("B\n" + origin);
        }
    }

    @Test
    void aHeartbeatReportingANumberNeverReceivedMakesSocketsResync() {
        var ann = signUp("Ann");
        String origin = "other-node-" + System.nanoTime();
        try (var s = TestSocket.connectAs(socketPort(), ann)) {
            publish("S\n" + origin + ":7");
            publish(typing(origin, 8, ann.id(), 8));
            publish("S\n" + origin + ":8"); // in order: no loss
            s.await("user:typing", p -> p.get("userID").asLong() == 8, WAIT);
            publish(typing(origin, 9, ann.id(), 9)); // marker: everything before it was handled
            s.await("user:typing", p -> p.get("userID").asLong() == 9, WAIT);
            assertThat(s.events("sync:required")).isEmpty();
            publish("S\n" + origin + ":10"); // number 10 was published but never arrived, and nothing follows it
            assertThat(s.await("sync:required", WAIT).payload().get("after").asLong()).isNotNegative();
        } finally {
            publish("B\n" + origin);
        }
    }

    @Test
    void aSocketWhoseSessionVanishedFromRedisIsToldAndDropped() {
        var ann = signUp("Ann");
        try (var s = TestSocket.connectAs(socketPort(), ann); var other = TestSocket.connectAs(socketPort(), signUp("Ben"))) {
            String sid = null;
            for (var row : api.get("/api/session", ann.accessToken()).data()) {
                if (row.get("current").asBoolean()) sid = row.get("sessionID").asString();
            }
            // as if Redis lost it (restart without persistence), with no revocation published
            redis.delete(keys.of("session", sid));
            s.await("user:invalid_token", WAIT); // the next heartbeat's reconciliation
            s.awaitDisconnected(WAIT);
            assertThat(api.get("/api/user/me", ann.accessToken()).status()).isEqualTo(401);
            assertThat(other.isDisconnected()).isFalse();
        }
    }

    @Test
    void anEmptiedNodeRegistryDoesNotMakeTheNodeAlone() {
        String other = "other-node-" + System.nanoTime();
        try {
            redis.opsForZSet().add(bus.nodesKey(), other, System.currentTimeMillis() + 60_000);
            bus.heartbeat();
            assertThat(bus.alone()).isFalse();
            redis.delete(bus.nodesKey()); // Redis restarted without its data
            bus.heartbeat();
            assertThat(bus.alone()).as("the other node was live a moment ago").isFalse();
            assertThat(redis.opsForZSet().score(bus.nodesKey(), bus.nodeId())).as("re-registered").isNotNull();
            // gone for good only after a whole node TTL (1.5 s in tests) without a sign of life
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!bus.alone() && System.nanoTime() < deadline) {
                TestSocket.sleep(100);
                bus.heartbeat();
            }
            assertThat(bus.alone()).isTrue();

            // the other node comes back: this one delivered alone meanwhile, so it asks every node to resync
            var seen = new java.util.concurrent.CopyOnWriteArrayList<String>();
            var client = (io.lettuce.core.RedisClient) factory.getRequiredNativeClient();
            try (var sub = client.connectPubSub()) {
                sub.addListener(new io.lettuce.core.pubsub.RedisPubSubAdapter<>() {
                    @Override
                    public void message(String channel, String message) {
                        seen.add(message);
                    }
                });
                sub.sync().subscribe(keys.of("rt-fanout"));
                publish("H\n" + other);
                long until = System.nanoTime() + WAIT.toNanos();
                while (seen.stream().noneMatch(m -> m.startsWith("Y\n" + bus.nodeId() + "\n")) && System.nanoTime() < until) TestSocket.sleep(20);
                assertThat(seen).anyMatch(m -> m.startsWith("Y\n" + bus.nodeId() + "\n"));
                assertThat(bus.alone()).isFalse();
            }
        } finally {
            redis.opsForZSet().remove(bus.nodesKey(), other);
            publish("B\n" + other);
        }
    }

    @Test
    void aNodeThatDeliveredAloneMakesTheOthersSocketsResyncFromBeforeThat() {
        var ann = signUp("Ann");
        try (var s = TestSocket.connectAs(socketPort(), ann)) {
            publish("Y\nother-node-" + System.nanoTime() + "\n4242");
            assertThat(s.await("sync:required", WAIT).payload().get("after").asLong()).isEqualTo(4242);
        }
    }
}
