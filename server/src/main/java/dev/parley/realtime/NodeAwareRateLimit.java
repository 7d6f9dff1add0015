package dev.parley.realtime;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.stereotype.Component;

import dev.parley.messaging.SendRateLimit;
import dev.parley.platform.ApiException;
import dev.parley.ratelimit.RateLimitRule;
import dev.parley.ratelimit.RateLimiter;

/**
 * Per-user limits on the hot socket/message paths. A node that is alone counts in memory — the
 * same fixed windows as {@link RateLimiter}, but no Redis round trip per message; as soon as other
 * nodes are live it uses the shared Redis counters so switching nodes cannot dodge a limit.
 * (At the switch-over a user may get up to one extra window's worth: the local count is not carried over.)
 */
@Component
class NodeAwareRateLimit implements SendRateLimit {
    private final RateLimiter shared;
    private final ClusterBus bus;
    private final ConcurrentHashMap<String, long[]> windows = new ConcurrentHashMap<>(); // key -> {start ms, count}

    NodeAwareRateLimit(RateLimiter shared, ClusterBus bus) {
        this.shared = shared;
        this.bus = bus;
    }

    @Override
    public void check(long senderId) {
        Duration wait = tryHit("message-send-user", senderId);
        if (wait != null) throw ApiException.tooManyRequests(wait);
    }

    /** Null when allowed, else how long until the window resets. */
    Duration tryHit(String rule, long userId) {
        if (!bus.alone()) return shared.tryHit(rule, Long.toString(userId));
        RateLimitRule r = shared.activeRule(rule);
        if (r == null) return null;
        long now = System.currentTimeMillis(), window = r.window().toMillis();
        long[] w = windows.compute(rule + ':' + userId, (k, v) -> {
            if (v == null || now - v[0] >= window) return new long[] {now, 1};
            v[1]++;
            return v;
        });
        return w[1] <= r.limit() ? null : Duration.ofMillis(Math.max(1, w[0] + window - now));
    }

    /** Drops finished windows (called from the heartbeat) so idle users cost nothing. */
    void prune() {
        long now = System.currentTimeMillis();
        windows.entrySet().removeIf(e -> now - e.getValue()[0] > Duration.ofHours(1).toMillis()
                || now - e.getValue()[0] > windowOf(e.getKey()));
    }

    private long windowOf(String key) {
        RateLimitRule r = shared.activeRule(key.substring(0, key.indexOf(':')));
        return r == null ? 0 : r.window().toMillis();
    }
}
