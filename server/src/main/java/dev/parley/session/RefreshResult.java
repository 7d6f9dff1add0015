package dev.parley.session;

/** Outcome of presenting a refresh token. */
public sealed interface RefreshResult {
    /** Rotated: the new refresh token replaces the presented one. */
    record Rotated(String sessionId, String refreshToken) implements RefreshResult {}
    /** Unknown, expired, or not this user's: refuse, change nothing. */
    record Rejected() implements RefreshResult {}
    /** An already-rotated token outside the grace window: the session was revoked as stolen. */
    record Reused(String sessionId) implements RefreshResult {}
}
