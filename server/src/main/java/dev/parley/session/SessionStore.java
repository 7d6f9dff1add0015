package dev.parley.session;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Service;

import dev.parley.platform.ParleyProperties;
import dev.parley.platform.RedisKeys;
import dev.parley.platform.ServerSecret;
import dev.parley.platform.Tokens;

/**
 * Sessions live in Redis only:
 * <ul>
 *   <li>{@code session:{sid}} — hash with the device, addresses, times and the refresh-token
 *       state ({@code rt} current hash, {@code rtPrev} most recently rotated hash,
 *       {@code rtPrevUntil} end of its grace window); TTL = sliding expiry, capped by the
 *       absolute one;</li>
 *   <li>{@code session-rt-prev:{sid}} — list of the {@value #PREVIOUS_TOKENS_KEPT} refresh-token
 *       hashes rotated before {@code rtPrev}, newest first, to recognise reuse (a token older
 *       than those is simply refused like any unknown token, without revoking the session: the
 *       list must stay bounded however long a session lives);</li>
 *   <li>{@code user-sessions:{uid}} — sorted set sid → last use (ms), for listing and LRU eviction.</li>
 * </ul>
 * Refresh tokens are {@code sid.secret}: random at login, and on rotation an HMAC of the
 * presented token under a server key (unpredictable without the key); only SHA-256 hashes are stored. Every check and rotation
 * is one atomic Lua script, so racing nodes cannot both rotate the same token.
 */
@Service
public class SessionStore {
    /** How many rotated refresh-token hashes (besides the latest) are remembered for reuse detection. */
    static final int PREVIOUS_TOKENS_KEPT = 8;

    /** lastUsedAt/ip are rewritten at most this often, so most requests only read. */
    private static final long TOUCH_WRITE_INTERVAL_MS = 10_000;

    private static final RedisScript<Long> TOUCH = RedisScript.of("""
            local s = redis.call('HMGET', KEYS[1], 'uid', 'absExp', 'lastUsedAt')
            if not s[1] or s[1] ~= ARGV[1] then return 0 end
            local now = tonumber(ARGV[2])
            if tonumber(s[2]) <= now then return 0 end
            if now - tonumber(s[3]) >= tonumber(ARGV[5]) then
              redis.call('HSET', KEYS[1], 'lastUsedAt', ARGV[2], 'lastIp', ARGV[4])
              local ttl = math.min(tonumber(ARGV[3]), tonumber(s[2]) - now)
              redis.call('PEXPIRE', KEYS[1], ttl)
              redis.call('PEXPIRE', KEYS[3], ttl)
              redis.call('ZADD', KEYS[2], now, ARGV[6])
            end
            return 1
            """, Long.class);

    /**
     * Returns 1 rotated, 0 rejected, -2 reuse (caller revokes). ARGV[2] is the hash of the
     * presented token's successor, which is derived (HMAC) from the presented token: every tab
     * racing with the token rotated most recently gets the very same successor, so a burst of
     * refreshes converges on one current token instead of forking the chain.
     */
    private static final RedisScript<Long> ROTATE = RedisScript.of("""
            local s = redis.call('HMGET', KEYS[1], 'uid', 'rt', 'rtPrev', 'rtPrevUntil', 'absExp')
            if not s[1] or s[1] ~= ARGV[5] then return 0 end
            local now = tonumber(ARGV[3])
            if tonumber(s[5]) <= now then return 0 end
            local presented = ARGV[1]
            if presented == s[2] then
              if s[3] then
                redis.call('LPUSH', KEYS[2], s[3])
                redis.call('LTRIM', KEYS[2], 0, tonumber(ARGV[9]) - 1)
              end
              redis.call('HSET', KEYS[1], 'rtPrev', s[2], 'rtPrevUntil', now + tonumber(ARGV[4]), 'rt', ARGV[2])
            elseif s[3] and presented == s[3] and now < tonumber(s[4]) and ARGV[2] == s[2] then
              -- a racing tab: its token was rotated moments ago into the current one; hand out that
              -- same current token again and change nothing
            elseif presented == s[3] then
              return -2
            else
              for _, old in ipairs(redis.call('LRANGE', KEYS[2], 0, -1)) do
                if old == presented then return -2 end
              end
              return 0
            end
            redis.call('HSET', KEYS[1], 'lastUsedAt', ARGV[3], 'lastIp', ARGV[7])
            local ttl = math.min(tonumber(ARGV[6]), tonumber(s[5]) - now)
            redis.call('PEXPIRE', KEYS[1], ttl)
            redis.call('PEXPIRE', KEYS[2], ttl)
            redis.call('ZADD', KEYS[3], now, ARGV[8])
            return 1
            """, Long.class);

    private final StringRedisTemplate redis;
    private final RedisKeys keys;
    private final ParleyProperties.Session config;
    private final Clock clock;
    private final ApplicationEventPublisher events;
    private final ServerSecret serverSecret;

    public SessionStore(StringRedisTemplate redis, RedisKeys keys, ParleyProperties props, Clock clock,
                        ApplicationEventPublisher events, ServerSecret serverSecret) {
        this.serverSecret = serverSecret;
        this.redis = redis;
        this.keys = keys;
        this.config = props.session();
        this.clock = clock;
        this.events = events;
    }

    public record NewSession(String sessionId, String refreshToken) {}

    /**
     * Opens a session for a login whose credentials were checked at {@code credentialsCheckedAt}
     * (ms); evicts the least recently used sessions beyond the cap. Empty when all of the user's
     * sessions were revoked after that moment (e.g. a password change raced this login): the
     * session is written first and the revocation mark read after, while {@link #revokeAll} marks
     * first and scans after, so one of the two always sees the other.
     */
    public java.util.Optional<NewSession> create(long userId, String os, String browser, String ip,
                                                 long credentialsCheckedAt) {
        String sid = Tokens.random(16);
        String refresh = newRefreshToken(sid);
        long now = clock.millis();
        long absExp = now + config.absoluteTtl().toMillis();
        String key = keys.of("session", sid);
        redis.opsForHash().putAll(key, Map.of(
                "uid", Long.toString(userId), "os", os, "browser", browser,
                "loginIp", ip, "lastIp", ip, "createdAt", Long.toString(now),
                "lastUsedAt", Long.toString(now), "absExp", Long.toString(absExp),
                "rt", Tokens.sha256(refresh)));
        redis.expire(key, java.time.Duration.ofMillis(Math.min(config.ttl().toMillis(), absExp - now)));
        String userKey = keys.of("user-sessions", userId);
        redis.opsForZSet().add(userKey, sid, now);
        redis.expire(userKey, config.absoluteTtl());
        String revokedAt = redis.opsForValue().get(keys.of("user-revoked-at", userId));
        if (revokedAt != null && Long.parseLong(revokedAt) >= credentialsCheckedAt) {
            revoke(userId, List.of(sid));
            return java.util.Optional.empty();
        }
        evictBeyondCap(userId);
        return java.util.Optional.of(new NewSession(sid, refresh));
    }

    /**
     * True when the session exists, belongs to the user and has not expired; slides its expiry.
     * One Redis round trip; called for every authenticated request, on every node.
     */
    public boolean touch(String sessionId, long userId, String ip) {
        Long r = redis.execute(TOUCH,
                List.of(keys.of("session", sessionId), keys.of("user-sessions", userId), keys.of("session-rt-prev", sessionId)),
                Long.toString(userId), Long.toString(clock.millis()), Long.toString(config.ttl().toMillis()),
                ip == null ? "" : ip, Long.toString(TOUCH_WRITE_INTERVAL_MS), sessionId);
        return r != null && r == 1L;
    }

    /** Returns when the session ends (ms), or -1 if it has ended / is not the user's. KEYS: session. ARGV: uid, now. */
    private static final RedisScript<Long> ENDS_AT = RedisScript.of("""
            local s = redis.call('HMGET', KEYS[1], 'uid', 'absExp')
            if not s[1] or s[1] ~= ARGV[1] then return -1 end
            local now = tonumber(ARGV[2])
            local abs = tonumber(s[2])
            if abs <= now then return -1 end
            local ttl = redis.call('PTTL', KEYS[1])
            if ttl >= 0 and now + ttl < abs then return now + ttl end
            return abs
            """, Long.class);

    /**
     * When the session ends if nothing slides it further: the earlier of its sliding expiry and its
     * absolute one. Empty when it has already ended or belongs to someone else. No side effects.
     * (Revocations are announced by {@link SessionsRevokedEvent}; expiry is not, so a holder of a
     * long-lived connection asks again at that moment.)
     */
    public java.util.Optional<Instant> endsAt(String sessionId, long userId) {
        Long end = redis.execute(ENDS_AT, List.of(keys.of("session", sessionId)), Long.toString(userId),
                Long.toString(clock.millis()));
        return end == null || end < 0 ? java.util.Optional.empty() : java.util.Optional.of(Instant.ofEpochMilli(end));
    }

    /** True when the session exists and belongs to the user (no side effects). */
    public boolean isActive(String sessionId, long userId) {
        Object uid = redis.opsForHash().get(keys.of("session", sessionId), "uid");
        return uid != null && uid.equals(Long.toString(userId));
    }

    /**
     * Which of these sessions (session id → its user) still exist for their user: one pipelined
     * round trip for all of them. Throws when Redis cannot answer (never "all gone" on an outage).
     */
    public java.util.Set<String> activeAmong(Map<String, Long> sessionUsers) {
        List<String> ids = new ArrayList<>(sessionUsers.keySet());
        List<Object> uids = redis.executePipelined((org.springframework.data.redis.core.RedisCallback<Object>) conn -> {
            for (String sid : ids) {
                conn.hashCommands().hGet(keys.of("session", sid).getBytes(java.nio.charset.StandardCharsets.UTF_8),
                        "uid".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
            return null;
        });
        java.util.Set<String> active = new java.util.HashSet<>();
        for (int i = 0; i < ids.size(); i++) {
            if (uids.get(i) != null && uids.get(i).toString().equals(Long.toString(sessionUsers.get(ids.get(i))))) active.add(ids.get(i));
        }
        return active;
    }

    public RefreshResult rotate(long userId, String presentedToken, String ip) {
        String sid = sessionIdOf(presentedToken);
        if (sid == null) return new RefreshResult.Rejected();
        String fresh = sid + "." + serverSecret.hmac("refresh-successor", presentedToken);
        Long r = redis.execute(ROTATE,
                List.of(keys.of("session", sid), keys.of("session-rt-prev", sid), keys.of("user-sessions", userId)),
                Tokens.sha256(presentedToken), Tokens.sha256(fresh), Long.toString(clock.millis()),
                Long.toString(config.refreshGrace().toMillis()), Long.toString(userId),
                Long.toString(config.ttl().toMillis()), ip == null ? "" : ip, sid, Integer.toString(PREVIOUS_TOKENS_KEPT));
        if (r != null && r == 1L) return new RefreshResult.Rotated(sid, fresh);
        if (r != null && r == -2L) {
            revoke(userId, List.of(sid));
            return new RefreshResult.Reused(sid);
        }
        return new RefreshResult.Rejected();
    }

    /** The user's live sessions, most recently used first. Drops index entries of expired ones. */
    public List<SessionInfo> list(long userId) {
        String userKey = keys.of("user-sessions", userId);
        var sids = redis.opsForZSet().reverseRange(userKey, 0, -1);
        if (sids == null || sids.isEmpty()) return List.of();
        List<SessionInfo> result = new ArrayList<>();
        List<String> gone = new ArrayList<>();
        for (String sid : sids) {
            Map<Object, Object> h = redis.opsForHash().entries(keys.of("session", sid));
            if (h.isEmpty() || !Long.toString(userId).equals(h.get("uid"))) {
                gone.add(sid);
                continue;
            }
            result.add(toInfo(sid, userId, h));
        }
        if (!gone.isEmpty()) redis.opsForZSet().remove(userKey, gone.toArray());
        result.sort(Comparator.comparing(SessionInfo::lastUsedAt).reversed());
        return result;
    }

    /** Revokes the given sessions of the user (ids of other users' sessions are ignored). */
    public List<String> revoke(long userId, List<String> sessionIds) {
        List<String> revoked = new ArrayList<>();
        String userKey = keys.of("user-sessions", userId);
        for (String sid : sessionIds) {
            String key = keys.of("session", sid);
            Object uid = redis.opsForHash().get(key, "uid");
            if (uid != null && !uid.equals(Long.toString(userId))) continue;
            Long removed = redis.opsForZSet().remove(userKey, sid);
            Boolean deleted = redis.delete(key);
            redis.delete(List.of(keys.of("session-rt-prev", sid),
                    keys.of("session-rt-old", sid))); // the unbounded set of earlier versions, if still there
            if (Boolean.TRUE.equals(deleted) || (removed != null && removed > 0)) revoked.add(sid);
        }
        if (!revoked.isEmpty()) events.publishEvent(new SessionsRevokedEvent(userId, List.copyOf(revoked)));
        return revoked;
    }

    /** Revokes every session of the user, including ones being created concurrently. */
    public List<String> revokeAll(long userId) {
        redis.opsForValue().set(keys.of("user-revoked-at", userId), Long.toString(clock.millis()), config.absoluteTtl());
        var sids = redis.opsForZSet().range(keys.of("user-sessions", userId), 0, -1);
        return sids == null ? List.of() : revoke(userId, List.copyOf(sids));
    }

    public List<String> revokeAllExcept(long userId, String keepSessionId) {
        var sids = redis.opsForZSet().range(keys.of("user-sessions", userId), 0, -1);
        if (sids == null) return List.of();
        return revoke(userId, sids.stream().filter(s -> !s.equals(keepSessionId)).toList());
    }

    private void evictBeyondCap(long userId) {
        String userKey = keys.of("user-sessions", userId);
        Long count = redis.opsForZSet().zCard(userKey);
        if (count == null || count <= config.maxPerUser()) return;
        var oldest = redis.opsForZSet().range(userKey, 0, count - config.maxPerUser() - 1);
        if (oldest != null && !oldest.isEmpty()) revoke(userId, List.copyOf(oldest));
    }

    private static String newRefreshToken(String sid) {
        return sid + "." + Tokens.random(32);
    }

    private static String sessionIdOf(String refreshToken) {
        if (refreshToken == null || refreshToken.length() > 200) return null;
        int dot = refreshToken.indexOf('.');
        if (dot <= 0 || dot == refreshToken.length() - 1) return null;
        String sid = refreshToken.substring(0, dot);
        return sid.matches("[A-Za-z0-9_-]{10,40}") ? sid : null;
    }

    private static SessionInfo toInfo(String sid, long userId, Map<Object, Object> h) {
        long created = Long.parseLong((String) h.get("createdAt"));
        long lastUsed = Long.parseLong((String) h.get("lastUsedAt"));
        long absExp = Long.parseLong((String) h.get("absExp"));
        return new SessionInfo(sid, userId, (String) h.get("os"), (String) h.get("browser"),
                (String) h.get("loginIp"), (String) h.get("lastIp"),
                Instant.ofEpochMilli(created), Instant.ofEpochMilli(lastUsed), Instant.ofEpochMilli(absExp));
    }
}
