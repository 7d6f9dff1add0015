package dev.parley.session;

/** Whether a session currently holds a live socket; implemented by the realtime module. */
public interface SessionPresence {
    boolean isOnline(String sessionId);
}
