package dev.parley.ratelimit;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.springframework.boot.convert.DurationStyle;

/** At most {@code limit} hits per {@code window}. */
public record RateLimitRule(int limit, Duration window) {

    /** Defaults: generous for people, tight for scripts. */
    static final Map<String, RateLimitRule> DEFAULTS = Map.ofEntries(
            Map.entry("login-ip", new RateLimitRule(30, Duration.ofMinutes(1))),
            // failed logins per account and address: a stranger elsewhere cannot lock the owner out
            Map.entry("login-account", new RateLimitRule(10, Duration.ofMinutes(15))),
            // failed logins per account from all addresses together: the ceiling for distributed guessing
            Map.entry("login-account-total", new RateLimitRule(50, Duration.ofMinutes(15))),
            Map.entry("refresh-ip", new RateLimitRule(120, Duration.ofMinutes(1))),
            Map.entry("register-ip", new RateLimitRule(10, Duration.ofHours(1))),
            Map.entry("reset-password-ip", new RateLimitRule(10, Duration.ofMinutes(15))),
            // reset emails per account and address; beyond it the request still answers 200 but sends nothing
            Map.entry("reset-password-account", new RateLimitRule(3, Duration.ofHours(1))),
            // reset emails per account from all addresses together
            Map.entry("reset-password-account-total", new RateLimitRule(10, Duration.ofHours(1))),
            Map.entry("check-email-ip", new RateLimitRule(60, Duration.ofMinutes(1))),
            Map.entry("email-link-ip", new RateLimitRule(30, Duration.ofMinutes(15))),
            Map.entry("password-check-user", new RateLimitRule(10, Duration.ofMinutes(15))),
            Map.entry("search-user", new RateLimitRule(60, Duration.ofMinutes(1))),
            // directory lookups by id (GET /api/user/:id/name, /api/user/is-exist), per address
            Map.entry("user-lookup-ip", new RateLimitRule(120, Duration.ofMinutes(1))),
            // name/bio changes: each one pushes an event to every contact
            Map.entry("profile-change-user", new RateLimitRule(10, Duration.ofMinutes(10))),
            Map.entry("message-send-user", new RateLimitRule(300, Duration.ofSeconds(10))),
            Map.entry("message-edit-user", new RateLimitRule(30, Duration.ofMinutes(1))),
            Map.entry("typing-user", new RateLimitRule(10, Duration.ofSeconds(5))));

    /** Parses {@code "N/duration"}, e.g. {@code "30/1m"}. */
    static RateLimitRule parse(String text) {
        String[] parts = text.strip().split("/", 2);
        if (parts.length != 2) throw new IllegalArgumentException("Rate limit must look like 30/1m: " + text);
        return new RateLimitRule(Integer.parseInt(parts[0].strip()), DurationStyle.detectAndParse(parts[1].strip()));
    }

    static Map<String, RateLimitRule> withOverrides(Map<String, String> overrides) {
        if (overrides == null) return DEFAULTS;
        Map<String, RateLimitRule> rules = new HashMap<>(DEFAULTS);
        overrides.forEach((name, value) -> {
            if (!DEFAULTS.containsKey(name)) throw new IllegalArgumentException("Unknown rate-limit rule " + name);
            rules.put(name, parse(value));
        });
        return Map.copyOf(rules);
    }
}
