package dev.parley.platform;

import jakarta.servlet.http.HttpServletRequest;

/**
 * The caller's address. Only {@code getRemoteAddr()} is trusted: behind a reverse proxy, set
 * {@code server.forward-headers-strategy=native} so Tomcat rewrites it from X-Forwarded-For.
 */
public final class ClientInfo {
    private ClientInfo() {}

    public static String ip(HttpServletRequest request) {
        return request.getRemoteAddr();
    }
}
