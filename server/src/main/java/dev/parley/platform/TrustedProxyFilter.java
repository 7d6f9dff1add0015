package dev.parley.platform;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Pattern;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Takes the client address (and scheme) from {@code X-Forwarded-For} / {@code X-Forwarded-Proto}
 * only when the connection comes from one of {@code parley.trusted-proxies} (IPs or CIDRs;
 * default loopback only). The header is read right to left and the first address that is not a
 * trusted proxy is the client, so a client cannot choose its address by sending the header
 * itself: from an untrusted peer the header is ignored. Spring's
 * {@code server.forward-headers-strategy=native} would instead trust every private address.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE) // first: every later filter and handler sees the client's address and scheme
public class TrustedProxyFilter extends OncePerRequestFilter {
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

    private final List<Cidr> trusted;

    public TrustedProxyFilter(@Value("${parley.trusted-proxies:127.0.0.0/8,::1/128}") List<String> trustedProxies) {
        this.trusted = trustedProxies.stream().map(String::strip).filter(s -> !s.isEmpty()).map(Cidr::parse).toList();
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String peer = request.getRemoteAddr();
        if (!isTrusted(peer) || request.getHeader("X-Forwarded-For") == null) {
            chain.doFilter(request, response);
            return;
        }
        String client = clientAddress(peer, Collections.list(request.getHeaders("X-Forwarded-For")));
        String proto = request.getHeader("X-Forwarded-Proto");
        String scheme = proto == null ? null : proto.split(",")[0].strip().toLowerCase(java.util.Locale.ROOT);
        boolean validScheme = "https".equals(scheme) || "http".equals(scheme);
        chain.doFilter(new HttpServletRequestWrapper(request) {
            @Override public String getRemoteAddr() { return client; }
            @Override public String getRemoteHost() { return client; }
            @Override public String getScheme() { return validScheme ? scheme : super.getScheme(); }
            @Override public boolean isSecure() { return validScheme ? "https".equals(scheme) : super.isSecure(); }
        }, response);
    }

    /** The rightmost address of the chain that is not a trusted proxy (the peer when the header is junk). */
    String clientAddress(String peer, List<String> forwardedFor) {
        List<String> hops = new ArrayList<>();
        for (String header : forwardedFor) {
            for (String hop : header.split(",")) hops.add(hop.strip());
        }
        String client = peer;
        for (int i = hops.size() - 1; i >= 0; i--) {
            InetAddress hop = literal(hops.get(i));
            if (hop == null) break;
            client = hop.getHostAddress();
            if (!isTrusted(hop)) break;
        }
        return client;
    }

    boolean isTrusted(String address) {
        InetAddress a = literal(address);
        return a != null && isTrusted(a);
    }

    private boolean isTrusted(InetAddress a) {
        for (Cidr c : trusted) if (c.contains(a)) return true;
        return false;
    }

    /** Parses an IP literal; null for anything else (never a DNS lookup). */
    static InetAddress literal(String text) {
        if (text == null) return null;
        String s = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
        boolean v4 = IPV4.matcher(s).matches();
        if (!v4 && !IPV6.matcher(s).matches()) return null;
        if (v4) {
            // an out-of-range octet would make getByName fall back to a DNS lookup
            for (String octet : s.split("\\.")) if (Integer.parseInt(octet) > 255) return null;
        }
        try {
            return InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    record Cidr(byte[] network, int prefix) {
        static Cidr parse(String text) {
            int slash = text.indexOf('/');
            InetAddress a = literal(slash < 0 ? text : text.substring(0, slash));
            if (a == null) throw new IllegalArgumentException("parley.trusted-proxies: not an IP or CIDR: " + text);
            int bits = a.getAddress().length * 8;
            int prefix = slash < 0 ? bits : Integer.parseInt(text.substring(slash + 1));
            if (prefix < 0 || prefix > bits) throw new IllegalArgumentException("parley.trusted-proxies: bad prefix in " + text);
            return new Cidr(a.getAddress(), prefix);
        }

        boolean contains(InetAddress a) {
            byte[] b = a.getAddress();
            if (b.length != network.length) return false;
            for (int bit = 0; bit < prefix; bit++) {
                int mask = 0x80 >>> (bit % 8);
                if ((b[bit / 8] & mask) != (network[bit / 8] & mask)) return false;
            }
            return true;
        }
    }
}
