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
@Order(Ordered.HIGHEST_PRECEDENCE)
public class SecurityHeadersFilter extends OncePerRequestFilter {
    private final String csp;

    public SecurityHeadersFilter(ParleyProperties props) {
        this.csp = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                + "img-src 'self' data: blob:; font-src 'self' data:; "
                + "connect-src 'self' ws: wss: " + String.join(" ", props.allowedOrigins()) + " " + socketOrigins(props) + "; "
                + "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'";
    }

    private static String socketOrigins(ParleyProperties props) {
        String explicit = props.socket().publicUrl();
        if (explicit != null && !explicit.isBlank()) return ParleyProperties.originOf(explicit);
        // Same host as the public URL, on the socket port (the default two-port deployment).
        var uri = java.net.URI.create(props.publicUrl());
        return uri.getScheme() + "://" + uri.getHost() + ":" + props.socket().port();
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
        // Swagger UI needs inline scripts; everything else gets the strict policy.
        if (!path.startsWith("/swagger-ui")) {
            response.setHeader("Content-Security-Policy", csp);
        }
        if (path.startsWith("/api/")) {
            response.setHeader("Cache-Control", "no-store");
        }
        chain.doFilter(request, response);
    }
}
