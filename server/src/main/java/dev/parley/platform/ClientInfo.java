package dev.parley.platform;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

import jakarta.servlet.http.HttpServletRequest;

/**
 * The caller's address. Only {@code getRemoteAddr()} is trusted; {@link TrustedProxyFilter} rewrites
 * it from X-Forwarded-For when, and only when, the peer is one of {@code parley.trusted-proxies}.
 */
public final class ClientInfo {
    private ClientInfo() {}

    public static String ip(HttpServletRequest request) {
        return request.getRemoteAddr();
    }

    /**
     * The subject of per-address rate limits: the IPv4 address, or the /64 network of an IPv6
     * address (one subscriber usually holds a whole /64, so counting single IPv6 addresses would
     * hand an attacker 2^64 budgets).
     */
    public static String rateLimitKey(HttpServletRequest request) {
        return rateLimitKey(ip(request));
    }

    public static String rateLimitKey(String address) {
        if (address == null || address.indexOf(':') < 0) return address;
        try {
            // a literal: getByName does no DNS lookup for it
            InetAddress parsed = InetAddress.getByName(stripBrackets(address));
            if (!(parsed instanceof Inet6Address)) return parsed.getHostAddress();
            byte[] b = parsed.getAddress();
            StringBuilder net = new StringBuilder();
            for (int i = 0; i < 8; i += 2) {
                net.append(Integer.toHexString(((b[i] & 0xff) << 8) | (b[i + 1] & 0xff))).append(':');
            }
            return net.append(":/64").toString();
        } catch (UnknownHostException e) {
            return address;
        }
    }

    private static String stripBrackets(String a) {
        String s = a.startsWith("[") && a.endsWith("]") ? a.substring(1, a.length() - 1) : a;
        int zone = s.indexOf('%');
        return zone < 0 ? s : s.substring(0, zone);
    }
}
