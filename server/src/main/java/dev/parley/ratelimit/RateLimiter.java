package dev.parley.ratelimit;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Service;

import dev.parley.platform.ApiException;
import dev.parley.platform.ParleyProperties;
import dev.parley.platform.RedisKeys;

/**
 * Fixed-window counters in Redis, shared by every node: {@code INCR} + expiry in one script.
 * A window is coarse but cheap (one round trip) and cannot be dodged by switching nodes.
 * Limits are named rules; each can be overridden as {@code parley.rate-limit.rules.<name>=N/duration},
 * e.g. {@code parley.rate-limit.rules.login-ip=30/1m}.
 */
@Service
public class RateLimiter {
    /** Returns 0 when allowed, else the milliseconds until the window resets. */
    private static final RedisScript<Long> HIT = RedisScript.of("""
            local n = redis.call('INCR', KEYS[1])
            if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
            if n > tonumber(ARGV[1]) then
              local ttl = redis.call('PTTL', KEYS[1])
              if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]); ttl = tonumber(ARGV[2]) end
              return ttl
            end
            return 0
            """, Long.class);

    private final StringRedisTemplate redis;
    private final RedisKeys keys;
    private final boolean enabled;
    private final Map<String, RateLimitRule> rules;

    public RateLimiter(StringRedisTemplate redis, RedisKeys keys, ParleyProperties props) {
        this.redis = redis;
        this.keys = keys;
        this.enabled = props.rateLimit().enabled();
        this.rules = RateLimitRule.withOverrides(props.rateLimit().rules());
    }

    /** Counts one hit on {@code rule} for {@code subject}; throws 429 with Retry-After when over. */
    public void hit(String rule, String subject) {
        Duration wait = tryHit(rule, subject);
        if (wait != null) throw ApiException.tooManyRequests(wait);
    }

    /** Like {@link #hit} but returns the wait instead of throwing (null when allowed). */
    public Duration tryHit(String rule, String subject) {
        if (!enabled) return null;
        RateLimitRule r = rules.get(rule);
        if (r == null) throw new IllegalArgumentException("Unknown rate-limit rule " + rule);
        Long wait = redis.execute(HIT, List.of(keys.of("rl:" + rule, subject)),
                Integer.toString(r.limit()), Long.toString(r.window().toMillis()));
        return wait == null || wait == 0 ? null : Duration.ofMillis(wait);
    }
}
