package dev.parley.platform;

import java.util.List;

import jakarta.servlet.http.HttpServletRequest;

import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

import static org.assertj.core.api.Assertions.assertThat;

class TrustedProxyFilterTest {
    private final TrustedProxyFilter filter = new TrustedProxyFilter(List.of("10.0.0.0/8", "2001:db8:ffff::/48"));

    private HttpServletRequest through(String peer, String... forwardedFor) throws Exception {
        var request = new MockHttpServletRequest("GET", "/api/config");
        request.setRemoteAddr(peer);
        for (String h : forwardedFor) request.addHeader("X-Forwarded-For", h);
        var chain = new MockFilterChain();
        filter.doFilter(request, new MockHttpServletResponse(), chain);
        return (HttpServletRequest) chain.getRequest();
    }

    @Test
    void anUntrustedPeerCannotChooseItsAddress() throws Exception {
        assertThat(through("203.0.113.5", "1.2.3.4").getRemoteAddr()).isEqualTo("203.0.113.5");
        // a private address is not a proxy unless configured
        assertThat(through("192.168.1.1", "1.2.3.4").getRemoteAddr()).isEqualTo("192.168.1.1");
        assertThat(through("127.0.0.1", "1.2.3.4").getRemoteAddr()).isEqualTo("127.0.0.1");
    }

    @Test
    void behindTrustedProxiesTheRightmostUntrustedHopIsTheClient() throws Exception {
        assertThat(through("10.1.2.3", "198.51.100.7").getRemoteAddr()).isEqualTo("198.51.100.7");
        // what the client wrote itself (left) is ignored; trusted hops are skipped
        assertThat(through("10.1.2.3", "6.6.6.6, 198.51.100.7, 10.0.0.2").getRemoteAddr()).isEqualTo("198.51.100.7");
        assertThat(through("10.1.2.3", "6.6.6.6", "198.51.100.7").getRemoteAddr()).isEqualTo("198.51.100.7");
        // junk (never resolved by DNS) stops the walk at the last trusted hop
        assertThat(through("10.1.2.3", "evil.example").getRemoteAddr()).isEqualTo("10.1.2.3");
        assertThat(through("10.1.2.3", "999.1.1.1").getRemoteAddr()).isEqualTo("10.1.2.3");
        assertThat(through("2001:db8:ffff::1", "2001:db8:1:2::5").getRemoteAddr()).isEqualTo("2001:db8:1:2:0:0:0:5");
    }

    @Test
    void theSchemeComesFromATrustedProxyOnly() throws Exception {
        var request = new MockHttpServletRequest("GET", "/");
        request.setRemoteAddr("10.0.0.1");
        request.addHeader("X-Forwarded-For", "198.51.100.7");
        request.addHeader("X-Forwarded-Proto", "https");
        var chain = new MockFilterChain();
        filter.doFilter(request, new MockHttpServletResponse(), chain);
        assertThat(chain.getRequest().isSecure()).isTrue();
        assertThat(chain.getRequest().getScheme()).isEqualTo("https");

        var forged = new MockHttpServletRequest("GET", "/");
        forged.setRemoteAddr("203.0.113.5");
        forged.addHeader("X-Forwarded-For", "198.51.100.7");
        forged.addHeader("X-Forwarded-Proto", "https");
        var chain2 = new MockFilterChain();
        filter.doFilter(forged, new MockHttpServletResponse(), chain2);
        assertThat(chain2.getRequest().isSecure()).isFalse();
    }

    @Test
    void ipv6ClientsAreLimitedPerSlash64() {
        assertThat(ClientInfo.rateLimitKey("2001:db8:1:2:aaaa::1")).isEqualTo(ClientInfo.rateLimitKey("2001:db8:1:2:ffff:1:2:3"));
        assertThat(ClientInfo.rateLimitKey("2001:db8:1:2::1")).isNotEqualTo(ClientInfo.rateLimitKey("2001:db8:1:3::1"));
        assertThat(ClientInfo.rateLimitKey("2001:db8:1:2::1")).isEqualTo("2001:db8:1:2::/64");
        assertThat(ClientInfo.rateLimitKey("198.51.100.7")).isEqualTo("198.51.100.7");
        assertThat(ClientInfo.rateLimitKey("::ffff:198.51.100.7")).isEqualTo("198.51.100.7");
    }
}
