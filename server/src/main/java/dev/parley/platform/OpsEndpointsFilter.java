package dev.parley.platform;

import java.io.IOException;
import java.util.Locale;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * On the main port only health (and info) of the actuator are public. Metrics and Prometheus
 * describe the server in detail, so they are served only on the management port
 * ({@code management.server.port}, bound to {@code management.server.address}, 127.0.0.1 by
 * default): that listener runs in its own child context, where this filter is not registered.
 * While the actuator shares the main port (no management port set) they are simply off.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 2)
public class OpsEndpointsFilter extends OncePerRequestFilter {
    static final String MESSAGE = "Not found";

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (isPrivateActuatorPath(request)) {
            JsonErrorWriter.write(response, HttpStatus.NOT_FOUND, MESSAGE);
            return;
        }
        chain.doFilter(request, response);
    }

    /** Decided on the decoded, normalised path (servlet path + path info), so encodings cannot dodge it. */
    static boolean isPrivateActuatorPath(HttpServletRequest request) {
        String path = request.getServletPath() + (request.getPathInfo() == null ? "" : request.getPathInfo());
        String p = path.toLowerCase(Locale.ROOT);
        if (!p.startsWith("/actuator")) return false;
        boolean publicPath = p.equals("/actuator/health") || p.startsWith("/actuator/health/") || p.equals("/actuator/info");
        return !publicPath;
    }
}
