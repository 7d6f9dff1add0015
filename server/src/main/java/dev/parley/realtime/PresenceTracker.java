package dev.parley.realtime;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;

import dev.parley.messaging.ContactPresence;
import dev.parley.messaging.DialogView;
import dev.parley.messaging.MessagingService;
import dev.parley.platform.RedisKeys;
import dev.parley.session.SessionPresence;
import dev.parley.user.UserRepository;

/**
 * Cluster-wide presence. Per node, Redis holds which users and sessions it has sockets for:
 * {@code rt-presence:{uid}} (hash node → 1), {@code rt-node-users:{node}} and
 * {@code rt-node-sessions:{node}} (sets). A user is online while any live node lists them.
 * Redis is touched only when a user's or session's first socket on this node connects or its last
 * one leaves, never per message. Each change is reconciled under a per-user lock against the local
 * socket table, so a quick connect/disconnect cannot leave a stale entry behind.
 * A node that dies without goodbye stops renewing its heartbeat; the node that reaps it removes its
 * users, and those who are now offline everywhere are announced to their contacts.
 */
@Component
class PresenceTracker implements ContactPresence, SessionPresence {
    private static final Logger log = LoggerFactory.getLogger(PresenceTracker.class);

    /** KEYS: presence hash, nodes zset, node-users set. ARGV: node, uid, now, delta(+1/-1). Returns live nodes left. */
    private static final RedisScript<Long> CHANGE = RedisScript.of("""
            if ARGV[4] == '1' then
              redis.call('HSET', KEYS[1], ARGV[1], '1')
              redis.call('SADD', KEYS[3], ARGV[2])
            else
              redis.call('HDEL', KEYS[1], ARGV[1])
              redis.call('SREM', KEYS[3], ARGV[2])
            end
            local nodes = redis.call('HKEYS', KEYS[1])
            local live = 0
            for _, n in ipairs(nodes) do
              local exp = redis.call('ZSCORE', KEYS[2], n)
              if exp and tonumber(exp) > tonumber(ARGV[3]) then live = live + 1
              elseif n ~= ARGV[1] then redis.call('HDEL', KEYS[1], n) end
            end
            return live
            """, Long.class);

    private final StringRedisTemplate redis;
    private final RedisKeys keys;
    private final ClusterBus bus;
    private final LocalSockets local;
    private final MessagingService messaging;
    private final UserRepository users;
    private final SocketJson json;
    private final Clock clock;
    private final Set<Long> registeredUsers = ConcurrentHashMap.newKeySet();
    private final Set<String> registeredSessions = ConcurrentHashMap.newKeySet();
    private final ReentrantLock[] locks = new ReentrantLock[64];

    PresenceTracker(StringRedisTemplate redis, RedisKeys keys, ClusterBus bus, LocalSockets local,
                    MessagingService messaging, UserRepository users, SocketJson json, Clock clock) {
        this.redis = redis;
        this.keys = keys;
        this.bus = bus;
        this.local = local;
        this.messaging = messaging;
        this.users = users;
        this.json = json;
        this.clock = clock;
        for (int i = 0; i < locks.length; i++) locks[i] = new ReentrantLock();
    }

    /** Brings Redis in line with this node's sockets of the user and session. Blocking: call on a virtual thread. */
    void reconcile(long userId, String sessionId) {
        ReentrantLock lock = locks[(int) Math.floorMod(userId, (long) locks.length)];
        lock.lock();
        try {
            boolean here = local.hasUser(userId);
            if (here && registeredUsers.add(userId)) {
                if (change(bus.nodeId(), userId, true) == 1) announce(userId, true);
            } else if (!here && registeredUsers.remove(userId)) {
                if (change(bus.nodeId(), userId, false) == 0) announce(userId, false);
            }
            if (sessionId != null) {
                boolean sessionHere = local.hasSession(sessionId);
                String key = keys.of("rt-node-sessions", bus.nodeId());
                if (sessionHere && registeredSessions.add(sessionId)) redis.opsForSet().add(key, sessionId);
                else if (!sessionHere && registeredSessions.remove(sessionId)) redis.opsForSet().remove(key, sessionId);
            }
        } finally {
            lock.unlock();
        }
    }

    private long change(String node, long userId, boolean up) {
        Long live = redis.execute(CHANGE,
                List.of(keys.of("rt-presence", userId), bus.nodesKey(), keys.of("rt-node-users", node)),
                node, Long.toString(userId), Long.toString(clock.millis()), up ? "1" : "-1");
        return live == null ? 0 : live;
    }

    record Status(long receiverID, String connectionStatus) {}

    /** Tells everyone sharing a dialog with the user that they came online / went offline. */
    private void announce(long userId, boolean online) {
        try {
            users.touchLastSeen(userId, clock.instant());
            List<Long> contacts = messaging.contactsOf(userId);
            if (!contacts.isEmpty()) {
                bus.deliver(contacts, "user:connection_status",
                        json.encode(new Status(userId, DialogView.status(online))));
            }
        } catch (RuntimeException e) {
            log.warn("Could not announce presence of user {}", userId, e);
        }
    }

    /** Removes a dead node's users and sessions; announces those now offline everywhere. */
    void reap(String deadNode) {
        Set<String> uids = redis.opsForSet().members(keys.of("rt-node-users", deadNode));
        if (uids != null) {
            for (String uid : uids) {
                long id = Long.parseLong(uid);
                if (change(deadNode, id, false) == 0) announce(id, false);
            }
        }
        redis.delete(List.of(keys.of("rt-node-users", deadNode), keys.of("rt-node-sessions", deadNode)));
        log.info("Reaped dead node {} ({} users)", deadNode, uids == null ? 0 : uids.size());
    }

    /** After this node was (wrongly) reaped, e.g. a long pause: write its presence again. */
    void reRegisterAll() {
        registeredUsers.clear();
        registeredSessions.clear();
        for (var c : local.all()) reconcile(c.userId(), c.sessionId());
    }

    /** Keeps this node's sets from outliving it if every node dies. */
    void refreshTtl() {
        var ttl = java.time.Duration.ofHours(1);
        redis.expire(keys.of("rt-node-users", bus.nodeId()), ttl);
        redis.expire(keys.of("rt-node-sessions", bus.nodeId()), ttl);
    }

    /** Graceful stop: this node leaves presence for all its users at once. */
    void leaveAll() {
        for (Long uid : Set.copyOf(registeredUsers)) {
            try {
                registeredUsers.remove(uid);
                if (change(bus.nodeId(), uid, false) == 0) announce(uid, false);
            } catch (RuntimeException e) {
                log.warn("Presence cleanup failed for user {}", uid, e);
            }
        }
        redis.delete(List.of(keys.of("rt-node-users", bus.nodeId()), keys.of("rt-node-sessions", bus.nodeId())));
        registeredSessions.clear();
    }

    @Override
    public Set<Long> onlineAmong(Collection<Long> userIds) {
        Set<Long> online = new HashSet<>();
        if (bus.alone()) {
            for (Long id : userIds) if (local.hasUser(id)) online.add(id);
            return online;
        }
        List<Long> ids = new ArrayList<>(userIds);
        List<Object> fields = redis.executePipelined((RedisCallback<Object>) conn -> {
            for (Long id : ids) hkeys(conn, keys.of("rt-presence", id));
            return null;
        });
        Set<String> live = bus.liveNodes();
        for (int i = 0; i < ids.size(); i++) {
            if (fields.get(i) instanceof Collection<?> nodes && nodes.stream().anyMatch(live::contains)) online.add(ids.get(i));
        }
        return online;
    }

    private static void hkeys(RedisConnection conn, String key) {
        conn.hashCommands().hKeys(key.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    @Override
    public boolean isOnline(String sessionId) {
        if (local.hasSession(sessionId)) return true;
        for (String node : bus.otherNodes()) {
            if (Boolean.TRUE.equals(redis.opsForSet().isMember(keys.of("rt-node-sessions", node), sessionId))) return true;
        }
        return false;
    }

    Map<String, Integer> stats() {
        return Map.of("sockets", local.size(), "users", registeredUsers.size());
    }
}
