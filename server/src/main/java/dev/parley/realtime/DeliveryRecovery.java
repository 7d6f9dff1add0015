package dev.parley.realtime;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import jakarta.annotation.PreDestroy;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Makes this node's sockets whole again when fan-out messages may have been lost (design:
 * docs/ARCHITECTURE.md, "Delivery guarantees"). Told by {@link ClusterBus} of a sequence gap, a
 * re-established subscription or a node found missing from the registry, it sends every local
 * socket {@code sync:required {after}}: the client syncs from min(its own cursor, after) and dedupes
 * by message id. Losses reported within {@link #COALESCE_MS} of each other become one resync with
 * the lowest point, so a flapping connection does not make every client sync many times.
 *
 * <p>When the subscription came back (Redis restarted), it also re-registers this node at once
 * (heartbeat + hello: the others flip to pub/sub without waiting for the next heartbeat) and, through
 * the heartbeat, re-checks the sockets' sessions ({@link SessionReconciler}).
 */
@Component
class DeliveryRecovery {
    static final String EVENT = "sync:required";
    private static final Logger log = LoggerFactory.getLogger(DeliveryRecovery.class);
    private static final long COALESCE_MS = 200;

    private final ClusterBus bus;
    private final LocalSockets local;
    private final DeliveryWatermark watermark;
    private final PresenceTracker presence;
    private final ExecutorService work = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("delivery-recovery-", 0).factory());
    private long pendingAfter = -1; // guarded by this

    DeliveryRecovery(ClusterBus bus, LocalSockets local, DeliveryWatermark watermark, PresenceTracker presence,
                     SessionReconciler sessions) {
        this.bus = bus;
        this.local = local;
        this.watermark = watermark;
        this.presence = presence;
        bus.onLoss(new ClusterBus.LossListener() {
            @Override
            public void lost(long sinceMillis, boolean resubscribed) {
                DeliveryRecovery.this.lost(sinceMillis, resubscribed);
            }

            @Override
            public void resyncAfter(long messageId) {
                resync(messageId);
            }

            @Override
            public long resyncPoint(long sinceMillis) {
                return watermark.resyncPoint(sinceMillis);
            }
        });
        bus.afterHeartbeat(sessions::reconcile);
    }

    private void lost(long sinceMillis, boolean resubscribed) {
        resync(watermark.resyncPoint(sinceMillis));
        if (resubscribed) work.execute(this::reRegister);
    }

    private void resync(long after) {
        boolean first;
        synchronized (this) {
            first = pendingAfter < 0;
            pendingAfter = first ? after : Math.min(pendingAfter, after);
        }
        if (first) work.execute(this::sendResync);
    }

    private void sendResync() {
        try {
            Thread.sleep(COALESCE_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        long after;
        synchronized (this) {
            after = pendingAfter;
            pendingAfter = -1;
        }
        log.info("Telling {} sockets to resync after message {}", local.size(), after);
        local.deliverAll(EVENT, "{\"after\":" + after + "}");
    }

    /** Redis is back: be in the registry and known to the others now, not at the next heartbeat. */
    private void reRegister() {
        try {
            var beat = bus.heartbeat(); // also re-checks the sockets' sessions
            if (beat.reRegistered()) presence.reRegisterAll();
            for (String dead : beat.claimedDead()) presence.reap(dead);
            bus.hello();
        } catch (RuntimeException e) {
            log.warn("Re-registering after the subscription came back failed; the next heartbeat retries", e);
        }
    }

    @PreDestroy
    void stop() {
        work.shutdownNow();
    }
}
