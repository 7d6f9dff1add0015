package dev.parley.auth;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.HandlerInterceptor;

import dev.parley.platform.ApiException;
import dev.parley.platform.AuthUser;
import dev.parley.platform.ClientInfo;
import dev.parley.session.SessionStore;

/**
 * Authenticates requests to controller methods that take an {@link AuthUser}. Runs before the
 * body is read, so an unauthenticated caller learns nothing about validation. The session check
 * goes to Redis, except for a token that passed it moments ago ({@link VerifiedTokenCache}, voided by
 * any revocation): a revoked session is refused at once on every node.
 */
@Component
public class AuthInterceptor implements HandlerInterceptor {
    static final String ATTRIBUTE = AuthUser.class.getName();

    private final AccessTokenService tokens;
    private final SessionStore sessions;
    private final VerifiedTokenCache verified;
    private final Map<Method, Boolean> authRequired = new ConcurrentHashMap<>();

    public AuthInterceptor(AccessTokenService tokens, SessionStore sessions, VerifiedTokenCache verified) {
        this.tokens = tokens;
        this.sessions = sessions;
        this.verified = verified;
    }

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
        if (!(handler instanceof HandlerMethod method) || !requiresAuth(method)) return true;
        String header = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw ApiException.unauthorized("Missing or malformed access token");
        }
        String token = header.substring(7).strip();
        var claims = verified.recall(token).orElseGet(() -> check(token, request));
        request.setAttribute(ATTRIBUTE, new AuthUser(claims.userId(), claims.sessionId()));
        return true;
    }

    /** The full check: signature and expiry, then the session in Redis (which also slides its expiry). */
    private AccessTokenService.Claims check(String token, HttpServletRequest request) {
        long generation = verified.generation();
        var claims = tokens.verify(token)
                .orElseThrow(() -> ApiException.unauthorized("Invalid or expired access token"));
        if (!sessions.touch(claims.sessionId(), claims.userId(), ClientInfo.ip(request))) {
            throw ApiException.unauthorized("Session has ended");
        }
        verified.remember(token, claims, generation);
        return claims;
    }

    private boolean requiresAuth(HandlerMethod method) {
        return authRequired.computeIfAbsent(method.getMethod(), m -> Arrays.stream(method.getMethodParameters())
                .anyMatch(p -> p.getParameterType() == AuthUser.class));
    }
}
