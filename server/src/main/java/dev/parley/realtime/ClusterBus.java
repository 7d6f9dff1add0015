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
 * It flips back only after the other node said goodbye or its heartbeat expired — never because
 * the registry is merely empty (Redis restarted without its data): a node that was live stays
 * "other" until it has been missing for a whole node TTL.
 *
 * <p>Gap detection (see docs/ARCHITECTURE.md, "Delivery guarantees"): every fan-out message carries
 * its origin's sequence number ({@code F\n<origin>:<seq>\n...}), and every heartbeat publishes the
 * origin's latest one ({@code S\n<origin>:<seq>}). A receiver that sees a number skipped, or whose
 * subscription was re-established after a drop, reports the moment since which it may have lost
 * events to the {@link LossListener}, which makes this node's sockets resync.
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
    /** other node → when it was last seen live (registry or hello); it stays "other" for a node TTL after. */
    private final ConcurrentHashMap<String, Long> lastSeenLive = new ConcurrentHashMap<>();
    private final String channel;
    /** sequence of this node's fan-out messages; taken and published under {@code publishLock}, so in order */
    private long seq;
    private final Object publishLock = new Object();
    /** receiver side, touched only by the subscription's (single) event-loop thread */
    private final ConcurrentHashMap<String, long[]> originSeen = new ConcurrentHashMap<>(); // origin -> {seq, received at ms}
    /** other nodes whose heartbeat was found missing or expired, already reported as a possible loss */
    private final Set<String> suspected = ConcurrentHashMap.newKeySet();
    private volatile long lastReceivedAt = System.currentTimeMillis();
    private final java.util.concurrent.atomic.AtomicInteger subscriptions = new java.util.concurrent.atomic.AtomicInteger();
    private volatile LossListener lossListener = new LossListener() {
        @Override public void lost(long sinceMillis, boolean resubscribed) {}
        @Override public void resyncAfter(long messageId) {}
        @Override public long resyncPoint(long sinceMillis) { return 0; }
    };
    /** guarded by this: whether {@code others} was empty at the last look, and since when (-1: from the start) */
    private boolean wasAlone = true;
    private long aloneSince = -1;
    private volatile Runnable afterHeartbeat = () -> {};
    /** when this node's heartbeat last reached Redis */
    private volatile long lastBeatAt = System.currentTimeMillis();

    private StatefulRedisConnection<String, String> pub;
    private StatefulRedisPubSubConnection<String, String> sub;
    private volatile RevocationHandler revocationHandler = sids -> {};
    private volatile boolean registered;

    interface RevocationHandler {
        void revokeLocal(List<String> sessionIds);
    }

    /**
     * Told (on the subscription's event loop: do not block) that fan-out messages published after
     * {@code sinceMillis} may never have reached this node. {@code resubscribed}: the subscription
     * itself dropped and is back (Redis restarted or the connection broke), not just a skipped number.
     */
    interface LossListener {
        void lost(long sinceMillis, boolean resubscribed);

        /** Another node announced that it committed messages without publishing them: sync after this id. */
        void resyncAfter(long messageId);

        /** The message id up to which delivery was complete before {@code sinceMillis} (see DeliveryWatermark). */
        long resyncPoint(long sinceMillis);
    }

    void onLoss(LossListener listener) {
        this.lossListener = listener;
    }

    /** Runs after every successful heartbeat, on the heartbeat's thread (blocking is fine there). */
    void afterHeartbeat(Runnable task) {
        this.afterHeartbeat = task;
    }

    /** Drops this node's sockets of these sessions (no fan-out: for sessions found gone in Redis). */
    void revokeHere(List<String> sessionIds) {
        if (sessionIds.isEmpty()) return;
        verifiedTokens.forgetAll(); // REST on this node must re-check them too
        revocationHandler.revokeLocal(sessionIds);
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

            @Override
            public void subscribed(String ch, long count) {
                // Lettuce re-subscribes by itself after a reconnect: every confirmation after the
                // first means the subscription was down for a while
                if (subscriptions.incrementAndGet() > 1) onResubscribed();
            }
        });
        sub.sync().subscribe(channel);
        heartbeat();
        hello();
    }

    /** Announces this node: the others flip to pub/sub at once (also after Redis lost the registry). */
    void hello() {
        pub.sync().publish(channel, "H\n" + nodeId);
    }

    private void onResubscribed() {
        long since = lastReceivedAt;
        originSeen.clear(); // numbers published during the outage are unknowable: start over per origin
        log.warn("Fan-out subscription re-established; events since {} may be lost, resyncing sockets", java.time.Instant.ofEpochMilli(since));
        lossListener.lost(since, true);
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
        for (String n : fresh) lastSeenLive.put(n, now);
        // A node whose heartbeat stopped may have died between committing a message and publishing
        // it (or with publishes still buffered); no later number from it will ever show the gap.
        for (String n : others) {
            if (!fresh.contains(n) && suspected.add(n)) {
                long[] seen = originSeen.get(n);
                log.warn("Node {} stopped renewing its heartbeat; resyncing sockets in case it died with events unpublished", n);
                lossListener.lost(seen != null ? seen[1] : lastSeenLive.getOrDefault(n, now), false);
            }
        }
        suspected.removeIf(fresh::contains);
        others.addAll(fresh);
        // a node missing from the registry is dropped only after a whole TTL without a sign of life:
        // an emptied registry (Redis restarted without data) must not make this node stop publishing
        others.removeIf(n -> {
            boolean gone = !fresh.contains(n) && now - lastSeenLive.getOrDefault(n, 0L) > props.nodeTtl().toMillis();
            if (gone) originSeen.remove(n);
            return gone;
        });
        lastSeenLive.keySet().retainAll(others);
        suspected.retainAll(others);
        membershipChanged(now);
        Set<String> dead = redis.opsForZSet().rangeByScore(nodesKey(), Double.NEGATIVE_INFINITY, now);
        List<String> claimed = dead == null ? List.of() : dead.stream()
                .filter(n -> !n.equals(nodeId))
                .filter(n -> { Long r = redis.opsForZSet().remove(nodesKey(), n); return r != null && r > 0; })
                .toList();
        long previousBeat = lastBeatAt;
        lastBeatAt = now;
        if (reRegistered) {
            // the others may have stopped publishing to this node since they last saw its heartbeat
            log.warn("Node {} was missing from the registry (declared dead, or Redis lost its data); re-registering its sockets", nodeId);
            lossListener.lost(previousBeat, false);
        }
        publishSequence();
        try {
            afterHeartbeat.run();
        } catch (RuntimeException e) {
            log.warn("After-heartbeat task failed", e);
        }
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

    /** The latest sequence number, so a receiver notices a lost message even when nothing follows it. */
    private void publishSequence() {
        if (pub == null) return;
        synchronized (publishLock) {
            pub.async().publish(channel, "S\n" + nodeId + ':' + seq);
        }
    }

    private void publish(Collection<Long> userIds, String event, String json) {
        // origin:seq — nodes before sequencing read the whole field as the origin and still deliver
        StringBuilder sb = new StringBuilder(120 + (json == null ? 0 : json.length())).append("F\n").append(nodeId).append(':');
        int seqAt = sb.length();
        sb.append('\n');
        boolean first = true;
        for (Long id : userIds) {
            if (!first) sb.append(',');
            sb.append(id);
            first = false;
        }
        sb.append('\n').append(event).append('\n');
        if (json != null) sb.append(json);
        synchronized (publishLock) { // numbers leave in order; a failed publish still uses its number up (receivers see the gap)
            sb.insert(seqAt, ++seq);
            pub.async().publish(channel, sb.toString()); // fire and forget, ordered per connection
        }
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
            log.warn("Revocation publish failed; other nodes drop these sockets at their next session check (heartbeat)", e);
        }
    }

    private void onMessage(String message) {
        long now = System.currentTimeMillis();
        lastReceivedAt = now;
        if (message.startsWith("F\n")) {
            String[] parts = message.split("\n", 5); // F, origin node[:seq], user ids, event, payload
            String origin = parts[1];
            int colon = origin.indexOf(':');
            if (colon > 0) {
                long n = Long.parseLong(origin, colon + 1, origin.length(), 10);
                origin = origin.substring(0, colon);
                if (origin.equals(nodeId)) return; // delivered here when it was published
                if (!inSequence(origin, n, true, now)) return; // a repeat
            } else if (origin.equals(nodeId)) {
                return;
            }
            deliverLocal(parts[2], parts[3], parts.length < 5 ? null : parts[4]);
            return;
        }
        if (message.startsWith("S\n")) {
            String field = message.substring(2);
            int colon = field.indexOf(':');
            String origin = field.substring(0, colon);
            if (!origin.equals(nodeId)) inSequence(origin, Long.parseLong(field, colon + 1, field.length(), 10), false, now);
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
            case "H" -> {
                if (!parts[1].equals(nodeId)) {
                    lastSeenLive.put(parts[1], now);
                    others.add(parts[1]);
                    membershipChanged(now);
                }
            }
            case "B" -> {
                others.remove(parts[1]);
                lastSeenLive.remove(parts[1]);
                originSeen.remove(parts[1]);
                membershipChanged(now);
            }
            case "Y" -> {
                String[] f = parts[1].split("\n", 2); // origin, after
                if (!f[0].equals(nodeId)) {
                    log.warn("Node {} delivered without publishing for a while; resyncing sockets after message {}", f[0], f[1]);
                    lossListener.resyncAfter(Long.parseLong(f[1].strip()));
                }
            }
            default -> log.debug("Unknown fan-out message type {}", parts[0]);
        }
    }

    /**
     * A node alone delivers in-process only. When another node appears again after this one was
     * alone (it had been declared dead, or Redis lost the registry and its heartbeat expired),
     * that node's sockets may have missed what was committed here meanwhile: tell every node to
     * resync from before the moment this one went alone ({@code Y}), published after {@code others}
     * is non-empty again, so everything after it is published normally. A node alone since its
     * start owes nobody anything.
     */
    private synchronized void membershipChanged(long now) {
        boolean aloneNow = others.isEmpty();
        if (aloneNow && !wasAlone) {
            aloneSince = now;
        } else if (!aloneNow && wasAlone && aloneSince >= 0) {
            long after = lossListener.resyncPoint(aloneSince);
            aloneSince = -1;
            log.warn("Other nodes are back after this node delivered alone; asking them to resync after message {}", after);
            try {
                pub.async().publish(channel, "Y\n" + nodeId + "\n" + after);
            } catch (RuntimeException e) {
                log.warn("Could not ask the other nodes to resync", e);
            }
        }
        wasAlone = aloneNow;
    }

    /**
     * Checks an origin's number against the last one seen from it. {@code event}: an F message
     * (consumes its number) rather than an S report of the latest one. False = a repeat (drop it).
     * The first number seen from an origin is taken as it is: this node was not subscribed before.
     */
    private boolean inSequence(String origin, long n, boolean event, long now) {
        long[] seen = originSeen.get(origin);
        if (seen == null) {
            originSeen.put(origin, new long[] {n, now});
            return true;
        }
        long expected = event ? seen[0] + 1 : seen[0];
        if (n < expected) return !event; // an F we already had (a client library re-sent it), or an old S
        if (n > expected) {
            log.warn("Fan-out gap from node {}: expected {}, got {}; resyncing sockets", origin, expected, n);
            lossListener.lost(seen[1], false);
        }
        seen[0] = n;
        seen[1] = now;
        return true;
    }
}
