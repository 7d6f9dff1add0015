package dev.parley.mail;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Service;

import dev.parley.platform.ParleyProperties;
import dev.parley.platform.RedisKeys;
import dev.parley.platform.Tokens;

/**
 * Single-use email-link tokens in Redis: {@code email-token:{purpose}:{userId}} holds
 * {@code sha256(token)|payload} with a TTL (24 h by default). One outstanding token per purpose
 * and user: asking again replaces the old link. The presented token is compared in constant time;
 * consumption is a compare-and-delete, so two racing uses cannot both succeed.
 */
@Service
public class EmailTokenStore {
    public enum Purpose { CONFIRM_EMAIL, RESET_PASSWORD, CHANGE_EMAIL }

    private static final RedisScript<Long> DELETE_IF_SAME = RedisScript.of("""
            if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
            return 0
            """, Long.class);

    private final StringRedisTemplate redis;
    private final RedisKeys keys;
    private final Duration ttl;

    public EmailTokenStore(StringRedisTemplate redis, RedisKeys keys, ParleyProperties props) {
        this.redis = redis;
        this.keys = keys;
        this.ttl = props.auth().emailTokenTtl();
    }

    /** Creates a token (256 random bits) carrying {@code payload}; returns the token for the link. */
    public String issue(Purpose purpose, long userId, String payload) {
        String token = Tokens.random(32);
        redis.opsForValue().set(key(purpose, userId), Tokens.sha256(token) + "|" + payload, ttl);
        return token;
    }

    /** The payload if the token is the user's valid one for this purpose; the token is left intact. */
    public Optional<String> peek(Purpose purpose, long userId, String token) {
        return match(purpose, userId, token).map(Stored::payload);
    }

    /** Consumes the token; returns its payload, or empty if invalid or already used. */
    public Optional<String> consume(Purpose purpose, long userId, String token) {
        return match(purpose, userId, token).filter(s ->
                Long.valueOf(1).equals(redis.execute(DELETE_IF_SAME, List.of(key(purpose, userId)), s.raw())))
                .map(Stored::payload);
    }

    /** Invalidates every outstanding link of the user (after a password or email change, deletion). */
    public void revokeAll(long userId) {
        redis.delete(java.util.Arrays.stream(Purpose.values()).map(p -> key(p, userId)).toList());
    }

    private record Stored(String raw, String payload) {}

    private Optional<Stored> match(Purpose purpose, long userId, String token) {
        if (token == null || token.isEmpty() || token.length() > 100) return Optional.empty();
        String raw = redis.opsForValue().get(key(purpose, userId));
        if (raw == null) return Optional.empty();
        int bar = raw.indexOf('|');
        if (bar < 0 || !Tokens.constantTimeEquals(raw.substring(0, bar), Tokens.sha256(token))) return Optional.empty();
        return Optional.of(new Stored(raw, raw.substring(bar + 1)));
    }

    private String key(Purpose purpose, long userId) {
        return keys.of("email-token:" + purpose.name().toLowerCase(java.util.Locale.ROOT), userId);
    }
}
