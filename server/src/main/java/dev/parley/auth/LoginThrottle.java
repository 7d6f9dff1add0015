package dev.parley.auth;

import java.time.Duration;

import org.springframework.stereotype.Component;

import dev.parley.platform.ApiException;
import dev.parley.ratelimit.RateLimiter;

/**
 * Failed-login limits that a stranger cannot turn against the owner. Every attempt is counted per
 * account <em>and</em> address ({@code login-account}) atomically before the password is checked,
 * so parallel guesses cannot slip past the limit, and a success clears that address's count: in
 * effect only failures stay counted, and guessing from one address does not block the owner at
 * another. A looser per-account ceiling over all addresses ({@code login-account-total}) counts
 * failures and bounds distributed guessing; it is consulted only for an address that already tried
 * this account in the window, so the owner's first attempt from a clean address always gets its
 * password checked (an attacker gains at most one guess per fresh address, which {@code login-ip}
 * bounds). Accounts are keyed by user id after the lookup, so case variants of an email share one
 * budget; an unknown email is keyed by its canonical form and throttled the same way (the answers
 * do not reveal which emails exist).
 */
@Component
class LoginThrottle {
    static final String PER_ADDRESS = "login-account";
    static final String PER_ACCOUNT = "login-account-total";

    private final RateLimiter limiter;

    LoginThrottle(RateLimiter limiter) {
        this.limiter = limiter;
    }

    /** Counts this attempt; 429 with Retry-After when this account is locked for this address. */
    void admit(String account, String address) {
        var attempt = limiter.attempt(PER_ADDRESS, account + "|" + address);
        if (attempt.retryAfter() != null) throw ApiException.tooManyRequests(attempt.retryAfter());
        if (attempt.count() > 1) {
            Duration total = limiter.blocked(PER_ACCOUNT, account);
            if (total != null) throw ApiException.tooManyRequests(total);
        }
    }

    /** The attempt admitted by {@link #admit} failed (it stays counted for its address). */
    void failed(String account) {
        limiter.countFailure(PER_ACCOUNT, account);
    }

    /** A success clears what failed before it, here and account-wide. */
    void succeeded(String account, String address) {
        limiter.clear(PER_ADDRESS, account + "|" + address);
        limiter.clear(PER_ACCOUNT, account);
    }
}
