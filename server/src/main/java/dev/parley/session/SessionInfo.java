package dev.parley.session;

import java.time.Instant;

/** One login of a user, as kept in Redis. */
public record SessionInfo(
        String sessionId, long userId, String os, String browser,
        String loginIp, String lastIp, Instant createdAt, Instant lastUsedAt, Instant expiresAt) {}
