package dev.parley.realtime;

import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import com.corundumstudio.socketio.SocketIOClient;

import org.springframework.stereotype.Component;

/**
 * The authenticated sockets this node holds, indexed by user and by session. Delivery here is a
 * non-blocking write into each socket's channel; callers may be on any thread.
 */
@Component
class LocalSockets {
    /** An authenticated socket; {@code sends} keeps its message:send events in order. */
    record Conn(SocketIOClient client, long userId, String sessionId, SerialLane sends) {}

    private final ConcurrentHashMap<UUID, Conn> byId = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Long, Set<Conn>> byUser = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Set<Conn>> bySession = new ConcurrentHashMap<>();

    void add(Conn c) {
        Conn previous = byId.put(c.client().getSessionId(), c);
        if (previous != null) unindex(previous);
        byUser.computeIfAbsent(c.userId(), k -> ConcurrentHashMap.newKeySet()).add(c);
        bySession.computeIfAbsent(c.sessionId(), k -> ConcurrentHashMap.newKeySet()).add(c);
    }

    Conn remove(UUID socketId) {
        Conn c = byId.remove(socketId);
        if (c != null) unindex(c);
        return c;
    }

    private void unindex(Conn c) {
        byUser.computeIfPresent(c.userId(), (k, set) -> { set.remove(c); return set.isEmpty() ? null : set; });
        bySession.computeIfPresent(c.sessionId(), (k, set) -> { set.remove(c); return set.isEmpty() ? null : set; });
    }

    Conn get(UUID socketId) {
        return byId.get(socketId);
    }

    boolean hasUser(long userId) {
        return byUser.containsKey(userId);
    }

    boolean hasSession(String sessionId) {
        return bySession.containsKey(sessionId);
    }

    Set<Long> users() {
        return Set.copyOf(byUser.keySet());
    }

    Set<String> sessions() {
        return Set.copyOf(bySession.keySet());
    }

    int size() {
        return byId.size();
    }

    List<Conn> all() {
        return List.copyOf(byId.values());
    }

    /** Sends the event to every socket of these users on this node; {@code json} null = no payload. */
    void deliver(Collection<Long> userIds, String event, String json) {
        Object[] args = json == null ? new Object[0] : new Object[] {SocketJson.raw(json)};
        for (Long uid : userIds) {
            Set<Conn> conns = byUser.get(uid);
            if (conns == null) continue;
            for (Conn c : conns) c.client().sendEvent(event, args);
        }
    }

    /** Sends the event to every authenticated socket on this node. */
    void deliverAll(String event, String json) {
        Object[] args = json == null ? new Object[0] : new Object[] {SocketJson.raw(json)};
        for (Conn c : byId.values()) c.client().sendEvent(event, args);
    }

    List<Conn> ofSessions(Collection<String> sessionIds) {
        return sessionIds.stream().flatMap(s -> bySession.getOrDefault(s, Set.of()).stream()).toList();
    }
}
