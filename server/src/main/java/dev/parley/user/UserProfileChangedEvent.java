package dev.parley.user;

/** A user's public profile (name) changed; the realtime module tells their contacts. */
public record UserProfileChangedEvent(long userId, String name) {}
