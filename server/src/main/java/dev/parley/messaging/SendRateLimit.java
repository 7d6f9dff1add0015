package dev.parley.messaging;

/**
 * Throttles message sends per sender (rule {@code message-send-user}); throws a 429 ApiException
 * when over. Implemented by the realtime module, which knows whether this node is alone (then it
 * counts in memory, with no Redis round trip per message) or part of a cluster (shared counters).
 */
public interface SendRateLimit {
    void check(long senderId);
}
