package dev.parley.auth;

import java.time.Instant;
import java.util.List;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.parley.platform.ApiException;
import dev.parley.platform.ApiResponse;
import dev.parley.platform.AuthUser;
import dev.parley.session.SessionPresence;
import dev.parley.session.SessionStore;

@RestController
@RequestMapping("/api/session")
@Tag(name = "Sessions", description = "Extension: a user's logins, and revoking them")
public class SessionController {
    private final SessionStore sessions;
    private final ObjectProvider<SessionPresence> presence;

    public SessionController(SessionStore sessions, ObjectProvider<SessionPresence> presence) {
        this.sessions = sessions;
        this.presence = presence;
    }

    public record SessionView(String sessionID, String os, String browser, String ip,
                              Instant createdAt, Instant lastUsedAt, boolean current, boolean online) {}

    @GetMapping
    @Operation(summary = "The caller's sessions, most recently used first")
    public ApiResponse<List<SessionView>> list(AuthUser user) {
        SessionPresence p = presence.getIfAvailable(() -> sid -> false);
        return ApiResponse.ok(sessions.list(user.userId()).stream()
                .map(s -> new SessionView(s.sessionId(), s.os(), s.browser(), s.lastIp(), s.createdAt(),
                        s.lastUsedAt(), s.sessionId().equals(user.sessionId()), p.isOnline(s.sessionId())))
                .toList());
    }

    @DeleteMapping("/{sessionId}")
    @Operation(summary = "Revoke one of the caller's sessions (400 if it is not one of them)")
    public ApiResponse<Void> revoke(AuthUser user, @PathVariable String sessionId) {
        if (sessionId.length() > 64 || sessions.revoke(user.userId(), List.of(sessionId)).isEmpty()) {
            throw ApiException.badRequest("Session not found");
        }
        return ApiResponse.ok();
    }

    @DeleteMapping
    @Operation(summary = "With scope=others: revoke every session but the calling one")
    public ApiResponse<Void> revokeOthers(AuthUser user, @RequestParam(required = false) String scope) {
        if (!"others".equals(scope)) throw ApiException.badRequest("scope must be 'others'");
        sessions.revokeAllExcept(user.userId(), user.sessionId());
        return ApiResponse.ok();
    }
}
