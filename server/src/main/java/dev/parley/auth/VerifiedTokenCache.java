package dev.parley.auth;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.event.EventListener;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

import dev.parley.session.SessionsRevokedEvent;

/**
 * Remembers, for a moment, access tokens that passed the full check (signature, expiry and a live
 * session in Redis), so a busy client's requests cost one JWT verification and one Redis round trip
 * per {@code parley.auth.session-check-cache-ttl} instead of one per request. On the REST send path
 * those two were about a fifth of the server's CPU.
 *
 * <p>Revocation stays immediate. Every revocation, on this node ({@link SessionsRevokedEvent}, which
 * is published before the revoking request answers) or on another (the realtime fan-out calls
 * {@link #forgetAll()}), moves the generation on and so voids every entry at once. An entry carries
 * the generation read <em>before</em> its Redis check, so a check that raced a revocation is never
 * remembered as valid. Revocations are rare next to requests: forgetting everything costs each
 * active client one extra Redis check.
 *
 * <p>Not immediate: a session that simply runs out of time in Redis (after days) is noticed up to one
 * TTL late; a token is never used past its own expiry.
 */
@Component
public class VerifiedTokenCache {
    private static final int MAX_ENTRIES = 100_000;
    /** Longer would stretch the window in which a revocation missed by this node goes unnoticed. */
    static final Duration MAX_TTL = Duration.ofSeconds(5);
    private static final long SWEEP_EVERY_MILLIS = 10_000;

    private record Entry(AccessTokenService.Claims claims, long generation, long freshUntilMillis) {}

    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
    private final AtomicLong generation = new AtomicLong();
    private final long ttlMillis;
    private final Clock clock;
    private volatile long nextSweepMillis;

    /** {@code ttl} is capped at {@link #MAX_TTL}; zero turns the cache off. */
    public VerifiedTokenCache(@Value("${parley.auth.session-check-cache-ttl:1s}") Duration ttl, Clock clock) {
        this.ttlMillis = Math.clamp(ttl.toMillis(), 0, MAX_TTL.toMillis());
        this.clock = clock;
    }

    /** Read this before checking a token in Redis and pass it to {@link #remember}. */
    long generation() {
        return generation.get();
    }

    /** The claims of a token that passed the full check moments ago, in the current generation. */
    Optional<AccessTokenService.Claims> recall(String token) {
        if (ttlMillis == 0) return Optional.empty();
        Entry e = entries.get(token);
        if (e == null) return Optional.empty();
        if (e.generation != generation.get() || clock.millis() >= e.freshUntilMillis) {
            entries.remove(token, e);
            return Optional.empty();
        }
        return Optional.of(e.claims);
    }

    /** Remembers a token whose check started in {@code checkedInGeneration} and succeeded. */
    void remember(String token, AccessTokenService.Claims claims, long checkedInGeneration) {
        if (ttlMillis == 0 || checkedInGeneration != generation.get()) return;
        long now = clock.millis();
        long until = Math.min(now + ttlMillis, claims.expiresAt().toEpochMilli());
        if (until <= now) return;
        if (now >= nextSweepMillis || entries.size() >= MAX_ENTRIES) {
            nextSweepMillis = now + SWEEP_EVERY_MILLIS; // tokens not used again would otherwise stay
            entries.values().removeIf(e -> e.freshUntilMillis <= now || e.generation != generation.get());
            if (entries.size() >= MAX_ENTRIES) return;
        }
        entries.put(token, new Entry(claims, checkedInGeneration, until));
    }

    int size() {
        return entries.size();
    }

    /** Voids every remembered token: some session ended (here or on another node). */
    public void forgetAll() {
        generation.incrementAndGet();
        entries.clear();
    }

    @EventListener
    @Order(Ordered.HIGHEST_PRECEDENCE) // before any other listener can fail and stop the chain
    void on(SessionsRevokedEvent e) {
        forgetAll();
    }
}
