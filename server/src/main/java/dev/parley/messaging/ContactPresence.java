package dev.parley.messaging;

import java.util.Collection;
import java.util.Set;

/** Who is online right now; implemented by the realtime module (messaging only asks). */
public interface ContactPresence {
    Set<Long> onlineAmong(Collection<Long> userIds);

    default boolean isOnline(long userId) {
        return onlineAmong(java.util.List.of(userId)).contains(userId);
    }
}
