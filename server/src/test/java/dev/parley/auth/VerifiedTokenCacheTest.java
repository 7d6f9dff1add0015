package dev.parley.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;

import dev.parley.session.SessionsRevokedEvent;

import static org.assertj.core.api.Assertions.assertThat;

/** The rules that keep revocation immediate although checks are remembered. */
class VerifiedTokenCacheTest {
    /** A clock the test moves by hand. */
    static final class HandClock extends Clock {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(java.time.ZoneId zone) { return this; }
        @Override public Instant instant() { return now; }
        void advance(Duration d) { now = now.plus(d); }
    }

    final HandClock clock = new HandClock();
    final VerifiedTokenCache cache = new VerifiedTokenCache(Duration.ofSeconds(1), clock);
    final AccessTokenService.Claims claims = new AccessTokenService.Claims(7, "sid-1", clock.now.plusSeconds(900));

    @Test
    void aCheckedTokenIsRecalledUntilTheTtlEnds() {
        cache.remember("t", claims, cache.generation());
        assertThat(cache.recall("t")).contains(claims);
        assertThat(cache.recall("other")).isEmpty();
        clock.advance(Duration.ofMillis(999));
        assertThat(cache.recall("t")).contains(claims);
        clock.advance(Duration.ofMillis(1));
        assertThat(cache.recall("t")).isEmpty();
    }

    @Test
    void anyRevocationForgetsEveryToken() {
        cache.remember("t", claims, cache.generation());
        cache.on(new SessionsRevokedEvent(99, java.util.List.of("someone-elses-session")));
        assertThat(cache.recall("t")).isEmpty();
        cache.remember("t", claims, cache.generation());
        cache.forgetAll(); // what a revocation fanned out from another node does
        assertThat(cache.recall("t")).isEmpty();
    }

    @Test
    void aCheckThatRacedARevocationIsNotRemembered() {
        long before = cache.generation(); // read before the Redis check…
        cache.forgetAll();                // …a revocation lands while Redis answers "valid"…
        cache.remember("t", claims, before);
        assertThat(cache.recall("t")).isEmpty(); // …so the stale answer is never reused
    }

    @Test
    void aTokenIsNeverRecalledPastItsOwnExpiry() {
        var shortLived = new AccessTokenService.Claims(7, "sid-1", clock.now.plusMillis(300));
        cache.remember("t", shortLived, cache.generation());
        clock.advance(Duration.ofMillis(300));
        assertThat(cache.recall("t")).isEmpty();
    }

    @Test
    void theTtlIsCappedSoAMissedRevocationCannotLingerLong() {
        var generous = new VerifiedTokenCache(Duration.ofMinutes(10), clock);
        generous.remember("t", claims, generous.generation());
        clock.advance(VerifiedTokenCache.MAX_TTL);
        assertThat(generous.recall("t")).isEmpty();
    }

    @Test
    void tokensNeverUsedAgainAreSweptAway() {
        cache.remember("once", claims, cache.generation());
        clock.advance(Duration.ofSeconds(11));
        cache.remember("t", claims, cache.generation());
        assertThat(cache.size()).isEqualTo(1);
    }

    @Test
    void aZeroTtlTurnsTheCacheOff() {
        var off = new VerifiedTokenCache(Duration.ZERO, clock);
        off.remember("t", claims, off.generation());
        assertThat(off.recall("t")).isEmpty();
    }
}
