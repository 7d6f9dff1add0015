package dev.parley.realtime;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import dev.parley.session.SessionStore;

/**
 * Checks this node's sockets against the sessions in Redis, once per heartbeat and after Redis
 * came back. A revocation normally reaches the sockets at once through the fan-out; this catches
 * the ones that cannot: a revocation published while this node's subscription was down, or
 * sessions lost with Redis's data. A socket whose session is gone gets {@code user:invalid_token}
 * and is disconnected. One pipelined round trip for all sessions; when Redis cannot answer,
 * nothing is dropped (an outage is not a revocation).
 */
@Component
class SessionReconciler {
    private static final Logger log = LoggerFactory.getLogger(SessionReconciler.class);

    private final LocalSockets local;
    private final SessionStore sessions;
    private final ClusterBus bus;

    SessionReconciler(LocalSockets local, SessionStore sessions, ClusterBus bus) {
        this.local = local;
        this.sessions = sessions;
        this.bus = bus;
    }

    /** Blocking (one Redis round trip): call from the heartbeat's thread. */
    void reconcile() {
        Map<String, Long> held = new HashMap<>();
        for (var c : local.all()) held.put(c.sessionId(), c.userId());
        if (held.isEmpty()) return;
        var active = sessions.activeAmong(held);
        List<String> gone = held.keySet().stream().filter(s -> !active.contains(s)).toList();
        if (gone.isEmpty()) return;
        // a socket authenticated after the snapshot is not in it; one dropped meanwhile is simply not found
        log.info("Dropping sockets of {} sessions that no longer exist in Redis", gone.size());
        bus.revokeHere(gone);
    }
}
