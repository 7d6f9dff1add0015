package dev.parley.support;

import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.mail.internet.MimeMessage;

import com.icegreen.greenmail.util.GreenMailUtil;

import org.junit.jupiter.api.BeforeEach;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Base of the end-to-end tests: a whole Parley node on random ports against real PostgreSQL,
 * Redis and SMTP (see {@link TestServices}). All subclasses share one Spring context.
 * Rate limits stay on but are raised, since every test user comes from 127.0.0.1;
 * {@code RateLimitTest} checks the limits themselves with its own low ones.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
public abstract class IntegrationTest {
    protected static final String PASSWORD = "correct horse battery";
    private static final AtomicInteger SEQ = new AtomicInteger();
    private static final int SOCKET_PORT = TestServices.freePort();
    private static final Pattern LINK = Pattern.compile("(https?://\\S+/email/([a-z-]+)\\?id=(\\d+)&token=([A-Za-z0-9_-]+))");

    @LocalServerPort
    protected int port;
    protected ApiClient api;

    @DynamicPropertySource
    static void services(DynamicPropertyRegistry registry) throws Exception {
        registerServices(registry, TestServices.redisPrefix(), "100000/1m");
    }

    /**
     * Points a Parley context at the test services. {@code rateLimit} applies to every rule
     * (e.g. "100000/1m" to keep limits out of the way of tests that are not about them).
     */
    public static void registerServices(DynamicPropertyRegistry registry, String redisPrefix, String rateLimit)
            throws Exception {
        registry.add("spring.datasource.url", TestServices::databaseUrl);
        registry.add("spring.datasource.username", () -> TestServices.PG_USER);
        registry.add("spring.datasource.password", () -> "");
        registry.add("spring.data.redis.url", () -> TestServices.REDIS_URL);
        registry.add("parley.redis.key-prefix", () -> redisPrefix);
        registry.add("spring.mail.host", () -> "127.0.0.1");
        registry.add("spring.mail.port", () -> TestServices.greenMail().getSmtp().getPort());
        registry.add("parley.socket.port", () -> SOCKET_PORT);
        registry.add("parley.public-url", () -> "http://localhost:5173");
        String dataDir = Files.createTempDirectory("parley-test").toString();
        registry.add("parley.data-dir", () -> dataDir);
        registry.add("parley.jwt.secret", () -> "test-secret-test-secret-test-secret-0123456789");
        registry.add("parley.auth.bcrypt-cost", () -> 4);
        for (String rule : new String[] {"login-ip", "login-account", "refresh-ip", "register-ip", "reset-password-ip",
                "reset-password-account", "check-email-ip", "email-link-ip", "search-user", "message-send-user",
                "typing-user", "login-account-total", "reset-password-account-total", "user-lookup-ip", "profile-change-user"}) {
            registry.add("parley.rate-limit.rules." + rule, () -> rateLimit);
        }
    }

    @BeforeEach
    void client() {
        api = new ApiClient("http://127.0.0.1:" + port);
    }

    protected int socketPort() {
        return SOCKET_PORT;
    }

    /** A unique email per call, so tests never see each other's users. */
    protected static String uniqueEmail(String who) {
        return who + "-" + TestServices.RUN_ID + "-" + SEQ.incrementAndGet() + "@example.test";
    }

    public record TestUser(long id, String name, String email, String accessToken, String refreshToken) {}

    /** Registers, confirms through the emailed link, and logs in. */
    protected TestUser signUp(String name) {
        String email = uniqueEmail(name.toLowerCase());
        var r = api.post("/api/user", Map.of("name", name, "email", email, "password", PASSWORD));
        assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
        EmailLink link = awaitLink(email, "confirm-email");
        assertThat(api.get("/api/email/confirm-email?id=" + link.userId() + "&token=" + link.token()).status()).isEqualTo(200);
        return login(name, email, PASSWORD, "Linux", "Firefox");
    }

    protected TestUser login(String name, String email, String password, String os, String browser) {
        var r = api.post("/api/auth/login", Map.of("email", email, "password", password, "os", os, "browser", browser));
        assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
        return new TestUser(r.data().get("userID").asLong(), name, email,
                r.data().get("accessToken").asString(), r.data().get("refreshToken").asString());
    }

    public record EmailLink(String url, String kind, long userId, String token, MimeMessage message) {}

    /** Waits for the newest email to {@code to} whose link is of {@code kind}; fails after 10 s. */
    protected static EmailLink awaitLink(String to, String kind) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            MimeMessage[] all = TestServices.greenMail().getReceivedMessages();
            for (int i = all.length - 1; i >= 0; i--) {
                try {
                    if (!all[i].getAllRecipients()[0].toString().equalsIgnoreCase(to)) continue;
                    Matcher m = LINK.matcher(GreenMailUtil.getBody(all[i]).replace("=\r\n", "").replace("=3D", "="));
                    while (m.find()) {
                        if (m.group(2).equals(kind)) {
                            return new EmailLink(m.group(1), kind, Long.parseLong(m.group(3)), m.group(4), all[i]);
                        }
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
            try { Thread.sleep(25); } catch (InterruptedException e) { Thread.currentThread().interrupt(); }
        }
        throw new AssertionError("No " + kind + " email reached " + to);
    }
}
