package dev.parley.auth;

import java.time.Duration;

import org.springframework.stereotype.Component;

import dev.parley.platform.ApiException;
import dev.parley.ratelimit.RateLimiter;

/**
 * Failed-login limits that a stranger cannot turn against the owner: only failures count, a
 * success clears them, and they are kept per account <em>and</em> address
 * ({@code login-account}), so guessing from one address does not block the owner at another.
 * A looser per-account ceiling over all addresses ({@code login-account-total}) bounds
 * distributed guessing. Accounts are keyed by user id after the lookup, so case variants of an
 * email share one budget; an unknown email is keyed by its canonical form and throttled the same
 * way (the answers do not reveal which emails exist).
 */
@Component
class LoginThrottle {
    static final String PER_ADDRESS = "login-account";
    static final String PER_ACCOUNT = "login-account-total";

    private final RateLimiter limiter;

    LoginThrottle(RateLimiter limiter) {
        this.limiter = limiter;
    }

    /** 429 with Retry-After when this account is locked for this address (or everywhere). */
    void check(String account, String address) {
        Duration a = limiter.blocked(PER_ADDRESS, account + "|" + address);
        Duration b = limiter.blocked(PER_ACCOUNT, account);
        Duration wait = a == null ? b : b == null ? a : (a.compareTo(b) > 0 ? a : b);
        if (wait != null) throw ApiException.tooManyRequests(wait);
    }

    void failed(String account, String address) {
        limiter.countFailure(PER_ADDRESS, account + "|" + address);
        limiter.countFailure(PER_ACCOUNT, account);
    }

    void succeeded(String account, String address) {
        limiter.clear(PER_ADDRESS, account + "|" + address);
        limiter.clear(PER_ACCOUNT, account);
    }
}
