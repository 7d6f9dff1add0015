package dev.parley.auth;

import java.util.Arrays;

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
 * goes to Redis on every request: a revoked session is refused at once on every node.
 */
@Component
public class AuthInterceptor implements HandlerInterceptor {
    static final String ATTRIBUTE = AuthUser.class.getName();

    private final AccessTokenService tokens;
    private final SessionStore sessions;

    public AuthInterceptor(AccessTokenService tokens, SessionStore sessions) {
        this.tokens = tokens;
        this.sessions = sessions;
    }

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
        if (!(handler instanceof HandlerMethod method) || !requiresAuth(method)) return true;
        String header = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw ApiException.unauthorized("Missing or malformed access token");
        }
        var claims = tokens.verify(header.substring(7).strip())
                .orElseThrow(() -> ApiException.unauthorized("Invalid or expired access token"));
        if (!sessions.touch(claims.sessionId(), claims.userId(), ClientInfo.ip(request))) {
            throw ApiException.unauthorized("Session has ended");
        }
        request.setAttribute(ATTRIBUTE, new AuthUser(claims.userId(), claims.sessionId()));
        return true;
    }

    private static boolean requiresAuth(HandlerMethod method) {
        return Arrays.stream(method.getMethodParameters())
                .anyMatch(p -> p.getParameterType() == AuthUser.class);
    }
}
