package dev.parley.user;

import java.time.Instant;

public record User(long id, String name, String email, String passwordHash, String bio,
                   boolean emailConfirmed, boolean deleted, Instant createdAt, Instant lastSeenAt) {}
