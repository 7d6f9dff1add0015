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

    /** Returns 0 when the counter is below the limit, else the milliseconds until it resets; counts nothing. */
    private static final RedisScript<Long> PEEK = RedisScript.of("""
            local n = tonumber(redis.call('GET', KEYS[1]) or '0')
            if n < tonumber(ARGV[1]) then return 0 end
            local ttl = redis.call('PTTL', KEYS[1])
            if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]); ttl = tonumber(ARGV[2]) end
            return ttl
            """, Long.class);

    /** Counts one hit and returns {count in the window, milliseconds until it resets}. */
    @SuppressWarnings("rawtypes")
    private static final RedisScript<List> COUNT = RedisScript.of("""
            local n = redis.call('INCR', KEYS[1])
            if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
            local ttl = redis.call('PTTL', KEYS[1])
            if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]); ttl = tonumber(ARGV[2]) end
            return {n, ttl}
            """, List.class);

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

    /** The rule in force after overrides; null when rate limiting is disabled (lets a lone node count locally). */
    public RateLimitRule activeRule(String rule) {
        return enabled ? rules.get(rule) : null;
    }

    /** Like {@link #hit} but returns the wait instead of throwing (null when allowed). */
    public Duration tryHit(String rule, String subject) {
        if (!enabled) return null;
        RateLimitRule r = rules.get(rule);
        if (r == null) throw new IllegalArgumentException("Unknown rate-limit rule " + rule);
        return run(HIT, rule, r, subject);
    }

    /*
     * Failure counting, for limits that must not let a stranger lock someone out by trying: check
     * with blocked() before the attempt, countFailure() after a failed one, clear() after success.
     */

    /** The wait when {@code subject} has already used up {@code rule} (counts nothing), else null. */
    public Duration blocked(String rule, String subject) {
        if (!enabled) return null;
        return run(PEEK, rule, rule(rule), subject);
    }

    /**
     * One attempt counted atomically before it is made: {@code count} includes it, {@code retryAfter} is
     * non-null (the time to wait) when it is over the limit. Unlike a peek, parallel attempts cannot all slip through.
     */
    public record Attempt(long count, Duration retryAfter) {}

    public Attempt attempt(String rule, String subject) {
        if (!enabled) return new Attempt(1, null);
        RateLimitRule r = rule(rule);
        List<?> res = redis.execute(COUNT, List.of(keys.of("rl:" + rule, subject)),
                Integer.toString(r.limit()), Long.toString(r.window().toMillis()));
        long n = ((Number) res.get(0)).longValue();
        long ttl = ((Number) res.get(1)).longValue();
        return new Attempt(n, n > r.limit() ? Duration.ofMillis(Math.max(1, ttl)) : null);
    }

    /** Counts one failure on {@code rule} for {@code subject}. */
    public void countFailure(String rule, String subject) {
        tryHit(rule, subject);
    }

    /** Forgets the failures of {@code subject} on {@code rule}. */
    public void clear(String rule, String subject) {
        if (!enabled) return;
        rule(rule);
        redis.delete(keys.of("rl:" + rule, subject));
    }

    private RateLimitRule rule(String rule) {
        RateLimitRule r = rules.get(rule);
        if (r == null) throw new IllegalArgumentException("Unknown rate-limit rule " + rule);
        return r;
    }

    private Duration run(RedisScript<Long> script, String rule, RateLimitRule r, String subject) {
        Long wait = redis.execute(script, List.of(keys.of("rl:" + rule, subject)),
                Integer.toString(r.limit()), Long.toString(r.window().toMillis()));
        return wait == null || wait == 0 ? null : Duration.ofMillis(wait);
    }
}
