package dev.parley.platform;

import java.io.IOException;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Security headers on every response. The CSP allows the page's own origin plus the Socket.IO
 * listener (another port, hence connect-src lists the allowed origins and ws/wss schemes).
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 1) // after TrustedProxyFilter: the socket origin uses the forwarded scheme
public class SecurityHeadersFilter extends OncePerRequestFilter {
    private static final String CSP_HEAD = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            + "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self' ";
    private static final String CSP_TAIL = "; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'";

    private final ParleyProperties props;
    private final String allowedOrigins;

    public SecurityHeadersFilter(ParleyProperties props) {
        this.props = props;
        this.allowedOrigins = String.join(" ", props.allowedOrigins());
    }

    /**
     * The Socket.IO origin, for polling (http/https) and websocket (ws/wss): the configured one, or
     * the host the page was loaded from on the socket port — the same rule as {@code /api/config}.
     */
    private String socketOrigins(HttpServletRequest request) {
        String explicit = props.socket().publicUrl();
        String origin;
        if (explicit != null && !explicit.isBlank()) {
            origin = ParleyProperties.originOf(explicit);
        } else {
            String host = request.getServerName();
            if (host.contains(":") && !host.startsWith("[")) host = "[" + host + "]";
            origin = request.getScheme() + "://" + host + ":" + props.socket().port();
        }
        return origin + " " + origin.replaceFirst("^http", "ws");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        response.setHeader("X-Content-Type-Options", "nosniff");
        response.setHeader("X-Frame-Options", "DENY");
        response.setHeader("Referrer-Policy", "no-referrer");
        response.setHeader("Permissions-Policy", "camera=(), microphone=(), geolocation=()");
        response.setHeader("Cross-Origin-Opener-Policy", "same-origin");
        String path = request.getRequestURI();
        // No exemptions: this origin holds the refresh tokens (Swagger UI, when enabled, gets the same policy).
        response.setHeader("Content-Security-Policy", CSP_HEAD + allowedOrigins + " " + socketOrigins(request) + CSP_TAIL);
        if (path.startsWith("/api/")) {
            response.setHeader("Cache-Control", "no-store");
        }
        chain.doFilter(request, response);
    }
}
