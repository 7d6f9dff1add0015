package dev.parley.realtime;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * When each session that has sockets on this node ends. A socket lives as long as its session, not
 * its access token: revocations (logout, password change, account deletion...) drop it at once
 * through the cluster bus, but expiry is silent, so the gateway looks here once a second and asks
 * Redis again about the sessions whose known end has passed (their end may have slid meanwhile).
 * In memory only: one entry per session with sockets here, nothing per second per socket.
 */
final class SessionLifetimes {
    record Session(String sessionId, long userId) {}

    /** Compared by identity: a conditional remove must never take out an entry a new socket just put. */
    private static final class End {
        final long userId;
        final long atMs;

        End(long userId, long atMs) {
            this.userId = userId;
            this.atMs = atMs;
        }
    }

    private final ConcurrentHashMap<String, End> ends = new ConcurrentHashMap<>();

    void track(String sessionId, long userId, Instant end) {
        ends.put(sessionId, new End(userId, end.toEpochMilli()));
    }

    /**
     * Removes and returns the sessions whose end is at or before {@code nowMs} and that still have
     * sockets here; entries of sessions without sockets here are dropped on the way.
     */
    List<Session> takeDue(long nowMs, Predicate<String> hasSockets) {
        List<Session> due = new ArrayList<>();
        for (var e : ends.entrySet()) {
            String sid = e.getKey();
            End end = e.getValue();
            if (!hasSockets.test(sid)) {
                ends.remove(sid, end);
            } else if (end.atMs <= nowMs && ends.remove(sid, end)) {
                due.add(new Session(sid, end.userId));
            }
        }
        return due;
    }

    int size() {
        return ends.size();
    }
}
