package dev.parley.session;

import java.util.List;

/**
 * Published (in-process, after the sessions are gone from Redis) whenever sessions end before
 * their time: logout, revocation, refresh-token reuse, password change, account deletion,
 * eviction. The realtime module disconnects their sockets on every node.
 */
public record SessionsRevokedEvent(long userId, List<String> sessionIds) {}
