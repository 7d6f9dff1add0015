package dev.parley.realtime;

import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

import dev.parley.auth.VerifiedTokenCache;
import dev.parley.platform.RedisKeys;

/**
 * Fan-out of socket events and session revocations to every node.
 *
 * <p>Nodes register in the sorted set {@code rt-nodes} (member = node id, score = the time its
 * heartbeat expires). A node alone delivers in-process, with no Redis hop; as soon as another live
 * node exists, events also go through the pub/sub channel {@code rt-fanout}: the publishing node
 * delivers to its own sockets directly, every other node to the sockets it holds.
 *
 * <p>Switch-over is safe because a starting node announces itself on the channel ({@code H}) before
 * it accepts any socket, and every node is subscribed from its own start: the running node flips to
 * pub/sub when the hello arrives, before the newcomer can hold a socket that would miss an event.
 * It flips back only after the other node said goodbye or its heartbeat expired.
 */
@Component
class ClusterBus {
    private static final Logger log = LoggerFactory.getLogger(ClusterBus.class);

    private final String nodeId = UUID.randomUUID().toString();
    private final LettuceConnectionFactory factory;
    private final StringRedisTemplate redis;
    private final RedisKeys keys;
    private final RealtimeProperties props;
    private final LocalSockets local;
    private final VerifiedTokenCache verifiedTokens;
    private final Set<String> others = ConcurrentHashMap.newKeySet();
    private final String channel;

    private StatefulRedisConnection<String, String> pub;
    private StatefulRedisPubSubConnection<String, String> sub;
    private volatile RevocationHandler revocationHandler = sids -> {};
    private volatile boolean registered;

    interface RevocationHandler {
        void revokeLocal(List<String> sessionIds);
    }

    ClusterBus(LettuceConnectionFactory factory, StringRedisTemplate redis, RedisKeys keys, RealtimeProperties props,
               LocalSockets local, VerifiedTokenCache verifiedTokens) {
        this.factory = factory;
        this.verifiedTokens = verifiedTokens;
        this.redis = redis;
        this.keys = keys;
        this.props = props;
        this.local = local;
        this.channel = keys.of("rt-fanout");
    }

    String nodeId() {
        return nodeId;
    }

    void onRevocation(RevocationHandler handler) {
        this.revocationHandler = handler;
    }

    /** Subscribes, registers this node and says hello; call before accepting sockets. */
    void start() {
        RedisClient client = (RedisClient) factory.getRequiredNativeClient();
        pub = client.connect(StringCodec.UTF8);
        sub = client.connectPubSub(StringCodec.UTF8);
        sub.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String ch, String message) {
                try {
                    onMessage(message);
                } catch (RuntimeException e) {
                    log.warn("Bad fan-out message dropped", e);
                }
            }
        });
        sub.sync().subscribe(channel);
        heartbeat();
        pub.sync().publish(channel, "H\n" + nodeId);
    }

    /** Says goodbye and unregisters (graceful stop). */
    void stop(boolean goodbye) {
        try {
            if (goodbye && pub != null) {
                redis.opsForZSet().remove(nodesKey(), nodeId);
                pub.sync().publish(channel, "B\n" + nodeId);
            }
        } catch (RuntimeException e) {
            log.warn("Could not unregister node {}", nodeId, e);
        } finally {
            if (sub != null) sub.close();
            if (pub != null) pub.close();
        }
    }

    String nodesKey() {
        return keys.of("rt-nodes");
    }

    record Beat(boolean reRegistered, List<String> claimedDead) {}

    /**
     * Renews this node's heartbeat, refreshes the view of live nodes and claims dead ones for
     * reaping (exactly one node wins each: the one whose ZREM removed it).
     */
    Beat heartbeat() {
        long now = System.currentTimeMillis();
        Boolean added = redis.opsForZSet().add(nodesKey(), nodeId, now + props.nodeTtl().toMillis());
        boolean reRegistered = Boolean.TRUE.equals(added) && registered;
        registered = true;
        Set<String> live = redis.opsForZSet().rangeByScore(nodesKey(), now, Double.POSITIVE_INFINITY);
        Set<String> fresh = live == null ? Set.of() : live.stream().filter(n -> !n.equals(nodeId)).collect(Collectors.toSet());
        others.retainAll(fresh);
        others.addAll(fresh);
        Set<String> dead = redis.opsForZSet().rangeByScore(nodesKey(), Double.NEGATIVE_INFINITY, now);
        List<String> claimed = dead == null ? List.of() : dead.stream()
                .filter(n -> !n.equals(nodeId))
                .filter(n -> { Long r = redis.opsForZSet().remove(nodesKey(), n); return r != null && r > 0; })
                .toList();
        if (reRegistered) log.warn("Node {} had been declared dead; re-registering its sockets", nodeId);
        return new Beat(reRegistered, claimed);
    }

    boolean alone() {
        return others.isEmpty();
    }

    /** This node and the others whose heartbeat was live at the last look. */
    Set<String> liveNodes() {
        var all = new java.util.HashSet<>(others);
        all.add(nodeId);
        return all;
    }

    Set<String> otherNodes() {
        return Set.copyOf(others);
    }

    /** Delivers {@code event} to every socket of these users on every node. */
    void deliver(Collection<Long> userIds, String event, String json) {
        if (userIds.isEmpty()) return;
        // the other nodes through the channel (the origin skips its own message when it comes back),
        // this node's sockets at once: a sender's own devices here never wait for a Redis round trip.
        // The change behind the event is committed: never fail the caller over a lost notification.
        if (!alone()) {
            try {
                publish(userIds, event, json);
            } catch (RuntimeException e) {
                log.warn("Could not publish {} to {}", event, userIds, e);
            }
        }
        try {
            local.deliver(userIds, event, json);
        } catch (RuntimeException e) {
            log.warn("Could not deliver {} to {}", event, userIds, e);
        }
    }

    private void publish(Collection<Long> userIds, String event, String json) {
        StringBuilder sb = new StringBuilder(100 + (json == null ? 0 : json.length())).append("F\n").append(nodeId).append('\n');
        boolean first = true;
        for (Long id : userIds) {
            if (!first) sb.append(',');
            sb.append(id);
            first = false;
        }
        sb.append('\n').append(event).append('\n');
        if (json != null) sb.append(json);
        pub.async().publish(channel, sb.toString()); // fire and forget, ordered per connection
    }

    private void deliverLocal(String userIds, String event, String payload) {
        List<Long> ids = java.util.Arrays.stream(userIds.split(",")).map(Long::valueOf).toList();
        local.deliver(ids, event, payload == null || payload.isEmpty() ? null : payload);
    }

    /** Disconnects these sessions' sockets on every node. */
    void revoke(List<String> sessionIds) {
        if (sessionIds.isEmpty()) return;
        // here first: events are delivered locally without the channel, so waiting for our own R to
        // come back would let a revoked socket on this node receive whatever is sent meanwhile
        revocationHandler.revokeLocal(sessionIds);
        if (alone()) return;
        try {
            pub.async().publish(channel, "R\n" + String.join(",", sessionIds)).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.warn("Revocation publish failed; other nodes drop these sockets when their access tokens expire", e);
        }
    }

    private void onMessage(String message) {
        if (message.startsWith("F\n")) {
            String[] parts = message.split("\n", 5); // F, origin node, user ids, event, payload
            if (parts[1].equals(nodeId)) return; // delivered here when it was published
            deliverLocal(parts[2], parts[3], parts.length < 5 ? null : parts[4]);
            return;
        }
        if (message.startsWith("E\n")) {
            // the format of nodes before 2026-11-26 (no origin; they deliver their own from the channel):
            // understood so a rolling upgrade loses nothing from old nodes. Old nodes ignore "F", so
            // during the upgrade their sockets miss new nodes' events until they resync on reconnect.
            String[] parts = message.split("\n", 4);
            deliverLocal(parts[1], parts[2], parts.length < 4 ? null : parts[3]);
            return;
        }
        String[] parts = message.split("\n", 2);
        switch (parts[0]) {
            case "R" -> {
                verifiedTokens.forgetAll(); // before the sockets go: REST must refuse the session here too
                revocationHandler.revokeLocal(List.of(parts[1].split(",")));
            }
            case "H" -> { if (!parts[1].equals(nodeId)) others.add(parts[1]); }
            case "B" -> others.remove(parts[1]);
            default -> log.debug("Unknown fan-out message type {}", parts[0]);
        }
    }
}
