package dev.parley.ratelimit;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.mail.internet.MimeMessage;

import com.icegreen.greenmail.util.GreenMailUtil;

import org.junit.jupiter.api.Test;

import dev.parley.support.ApiClient;
import dev.parley.support.TestServices;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Limits with low values in their own context (see {@link LowLimitsIntegrationTest}; the shared
 * test context raises all limits out of the way). Requests come from 127.0.0.1, a trusted proxy
 * there, so a test speaks "from" another address with X-Forwarded-For.
 */
class RateLimitTest extends LowLimitsIntegrationTest {

    private static final AtomicInteger ADDRESS = new AtomicInteger(1);

    /** A fresh client address (TEST-NET-2), so tests do not share per-address budgets. */
    private static String newAddress() {
        int n = ADDRESS.getAndIncrement();
        return "198.51." + (100 + n / 250) + "." + (n % 250 + 1);
    }

    private ApiClient.Response from(String address, String method, String path, Object body, String token) {
        var builder = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(20)).header("X-Forwarded-For", address);
        if (token != null) builder.header("Authorization", "Bearer " + token);
        if (body != null) builder.header("Content-Type", "application/json");
        builder.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(ApiClient.json().writeValueAsString(body)));
        HttpResponse<String> r = api.rawRequest(builder.build());
        return new ApiClient.Response(r.statusCode(), ApiClient.json().readTree(r.body()), r);
    }

    private ApiClient.Response login(String address, String email, String password) {
        return from(address, "POST", "/api/auth/login", Map.of("email", email, "password", password), null);
    }

    private String register(String who) {
        String email = email(who);
        assertThat(from(newAddress(), "POST", "/api/user", Map.of("name", "Victim", "email", email, "password", PASSWORD), null)
                .status()).isEqualTo(200);
        return email;
    }

    private static final String PASSWORD = "the right password";


    private static String email(String who) {
        return who + "-" + UUID.randomUUID() + "@example.test";
    }

    @Test
    void loginIsLimitedPerAccountThenPerIp() {
        String victim = email("victim");
        for (int i = 0; i < 3; i++) {
            assertThat(api.post("/api/auth/login", Map.of("email", victim, "password", "guess" + i + "xyz")).status()).isEqualTo(401);
        }
        var limited = api.post("/api/auth/login", Map.of("email", victim, "password", "guess-final"));
        assertThat(limited.status()).isEqualTo(429);
        assertThat(limited.body().get("statusCode").asInt()).isEqualTo(429);
        assertThat(limited.message()).isNotBlank();
        assertThat(Long.parseLong(limited.header("Retry-After"))).isBetween(1L, 60L);

        // another account from the same address is still allowed: the per-IP budget is 5
        assertThat(api.post("/api/auth/login", Map.of("email", email("x"), "password", "whatever1")).status()).isEqualTo(401);
        // ...and then it is spent
        assertThat(api.post("/api/auth/login", Map.of("email", email("y"), "password", "whatever1")).status()).isEqualTo(429);
    }

    @Test
    void registrationCheckEmailAndResetPasswordAreLimited() {
        for (int i = 0; i < 3; i++) {
            assertThat(api.post("/api/user/check-email", Map.of("email", email("c"))).status()).isEqualTo(200);
        }
        var r = api.post("/api/user/check-email", Map.of("email", email("c")));
        assertThat(r.status()).isEqualTo(429);
        assertThat(r.header("Retry-After")).isNotNull();

        for (int i = 0; i < 3; i++) {
            assertThat(api.post("/api/user", Map.of("name", "Reg", "email", email("r"), "password", "password123")).status()).isEqualTo(200);
        }
        String blocked = email("r");
        assertThat(api.post("/api/user", Map.of("name", "Reg", "email", blocked, "password", "password123")).status()).isEqualTo(429);

        // per address: 3 requests, whatever the account (beyond the account's own budget they still answer 200)
        String target = email("reset");
        for (int i = 0; i < 3; i++) {
            assertThat(api.post("/api/user/reset-password", Map.of("email", target)).status()).isEqualTo(200);
        }
        assertThat(api.post("/api/user/reset-password", Map.of("email", email("other"))).status()).isEqualTo(429);
    }

    @Test
    void failedLoginsElsewhereNeitherLockTheOwnerOutNorSurviveASuccess() {
        String victim = register("lockout");
        String attacker = newAddress();
        for (int i = 0; i < 3; i++) assertThat(login(attacker, victim, "wrong guess " + i).status()).isEqualTo(401);
        assertThat(login(attacker, victim, "wrong guess 4").status()).isEqualTo(429);
        assertThat(login(attacker, victim, PASSWORD).status()).as("locked for this address").isEqualTo(429);

        // the owner, elsewhere, signs in
        String home = newAddress();
        assertThat(login(home, victim, PASSWORD).status()).isEqualTo(200);

        // case variants of the email share the account's budget (keyed by user id after the lookup)
        String second = newAddress();
        assertThat(login(second, victim.toUpperCase(), "wrong A").status()).isEqualTo(401);
        assertThat(login(second, "  " + victim + " ", "wrong B").status()).isEqualTo(401);
        assertThat(login(second, victim.substring(0, 1).toUpperCase() + victim.substring(1), "wrong C").status()).isEqualTo(401);
        assertThat(login(second, victim, PASSWORD).status()).isEqualTo(429);

        // only failures count, and a success clears them: without the clearing, the 4th failure
        // (G) would be refused (5 requests in all: login-ip allows 5 per address here)
        String third = newAddress();
        assertThat(login(third, victim, "wrong D").status()).isEqualTo(401);
        assertThat(login(third, victim, "wrong E").status()).isEqualTo(401);
        assertThat(login(third, victim, PASSWORD).status()).isEqualTo(200);
        assertThat(login(third, victim, "wrong F").status()).isEqualTo(401);
        assertThat(login(third, victim, "wrong G").status()).isEqualTo(401);
    }

    @Test
    void failuresFromManyAddressesHitTheAccountWideCeiling() {
        String victim = register("ceiling");
        List<String> sprayers = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            sprayers.add(newAddress());
            assertThat(login(sprayers.get(i), victim, "spray " + i).status()).isEqualTo(401);
        }
        // an address that already tried this account is refused once the account-wide ceiling is reached
        var locked = login(sprayers.get(0), victim, PASSWORD);
        assertThat(locked.status()).isEqualTo(429);
        assertThat(locked.header("Retry-After")).isNotNull();
        // the owner's first attempt from a clean address still gets its password checked: strangers
        // cannot lock the owner out with the ceiling
        assertThat(login(newAddress(), victim, PASSWORD).status()).isEqualTo(200);

        // an unknown email is answered the same way all along (no enumeration)
        String ghost = email("ghost");
        List<String> ghostSprayers = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            ghostSprayers.add(newAddress());
            var r = login(ghostSprayers.get(i), ghost, "spray " + i);
            assertThat(r.status()).isEqualTo(401);
            assertThat(r.message()).isEqualTo("Invalid password or email");
        }
        assertThat(login(ghostSprayers.get(0), ghost, PASSWORD).status()).isEqualTo(429);
    }

    /** Every attempt is counted before the password check, so parallel guesses cannot slip past the limit. */
    @Test
    void parallelGuessesFromOneAddressAreCountedBeforeThePasswordCheck() throws Exception {
        String victim = register("parallel");
        String attacker = newAddress();
        try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            var answers = new ArrayList<java.util.concurrent.Future<Integer>>();
            for (int i = 0; i < 12; i++) {
                int n = i;
                answers.add(pool.submit(() -> login(attacker, victim, "parallel guess " + n).status()));
            }
            long checked = 0;
            for (var a : answers) if (a.get() == 401) checked++;
            // login-account allows 3 per address here; login-ip (5) answers 429 too, never more guesses
            assertThat(checked).isLessThanOrEqualTo(3);
        }
    }

    @Test
    void resetRequestsBeyondTheAccountBudgetAnswer200ButMailOnlyTheOwner() {
        String victim = register("reset-victim");
        String attacker = newAddress();
        // one at a time: mail is sent asynchronously, so only then is the newest email the newest link
        assertThat(from(attacker, "POST", "/api/user/reset-password", Map.of("email", victim), null).status()).isEqualTo(200);
        awaitMail(victim, 1);
        assertThat(from(attacker, "POST", "/api/user/reset-password", Map.of("email", victim), null).status()).isEqualTo(200);
        Link second = awaitMail(victim, 2);
        // over this address's budget: still 200, and no new link (the last one mailed stays the valid one)
        assertThat(from(attacker, "POST", "/api/user/reset-password", Map.of("email", victim.toUpperCase()), null).status())
                .isEqualTo(200);
        assertThat(from(newAddress(), "POST", "/api/email/reset-password?id=" + second.userId() + "&token=" + second.token(),
                Map.of("newPassword", PASSWORD), null).status()).isEqualTo(200);

        // the owner, asking from home, still gets a link (the account-wide budget: 4, 3 used now)
        assertThat(from(newAddress(), "POST", "/api/user/reset-password", Map.of("email", victim), null).status()).isEqualTo(200);
        Link fourth = awaitMail(victim, 3);
        assertThat(from(newAddress(), "POST", "/api/user/reset-password", Map.of("email", victim), null).status()).isEqualTo(200);
        Link fifth = awaitMail(victim, 4);
        assertThat(fifth.token()).isNotEqualTo(fourth.token());
        // the account-wide ceiling: 200, nothing issued
        assertThat(from(newAddress(), "POST", "/api/user/reset-password", Map.of("email", victim), null).status()).isEqualTo(200);
        assertThat(from(newAddress(), "POST", "/api/email/reset-password?id=" + fifth.userId() + "&token=" + fifth.token(),
                Map.of("newPassword", PASSWORD), null).status()).isEqualTo(200);
    }

    @Test
    void directoryLookupsAreLimitedPerAddress() {
        String address = newAddress();
        for (int i = 0; i < 2; i++) {
            assertThat(from(address, "GET", "/api/user/" + (900_000_000 + i) + "/name", null, null).status()).isEqualTo(400);
        }
        assertThat(from(address, "GET", "/api/user/is-exist?user-id=900000009", null, null).status()).isEqualTo(200);
        var limited = from(address, "GET", "/api/user/is-exist?user-id=900000010", null, null);
        assertThat(limited.status()).isEqualTo(429);
        assertThat(limited.header("Retry-After")).isNotNull();
        assertThat(from(address, "GET", "/api/user/900000011/name", null, null).status()).isEqualTo(429);
        // another address is not affected
        assertThat(from(newAddress(), "GET", "/api/user/900000011/name", null, null).status()).isEqualTo(400);
    }

    @Test
    void profileChangesAreLimitedPerUser() {
        String email = register("profile");
        var session = login(newAddress(), email, PASSWORD);
        assertThat(session.status()).isEqualTo(200);
        String token = session.data().get("accessToken").asString();
        assertThat(from(newAddress(), "POST", "/api/user/change/name", Map.of("newName", "Renamed"), token).status()).isEqualTo(200);
        assertThat(from(newAddress(), "POST", "/api/user/change/bio", Map.of("newBio", "hello"), token).status()).isEqualTo(200);
        assertThat(from(newAddress(), "POST", "/api/user/change/name", Map.of("newName", "Again"), token).status()).isEqualTo(200);
        var limited = from(newAddress(), "POST", "/api/user/change/bio", Map.of("newBio", "spam"), token);
        assertThat(limited.status()).isEqualTo(429);
        assertThat(limited.header("Retry-After")).isNotNull();
    }

    private record Link(long userId, String token) {}

    private static final Pattern RESET_LINK = Pattern.compile("/email/reset-password\\?id=(\\d+)&token=([A-Za-z0-9_-]+)");

    /** Waits until {@code to} has received {@code count} reset emails; returns the link of the newest. */
    private static Link awaitMail(String to, int count) {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (System.nanoTime() < deadline) {
            List<MimeMessage> mine = new ArrayList<>();
            for (MimeMessage m : TestServices.greenMail().getReceivedMessages()) {
                try {
                    if (m.getAllRecipients()[0].toString().equalsIgnoreCase(to)
                            && m.getSubject().equals("Reset your Parley password")) mine.add(m);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
            assertThat(mine.size()).as("emails to " + to).isLessThanOrEqualTo(count);
            if (mine.size() == count) {
                Matcher link = RESET_LINK.matcher(GreenMailUtil.getBody(mine.getLast()).replace("=\r\n", "").replace("=3D", "="));
                assertThat(link.find()).isTrue();
                return new Link(Long.parseLong(link.group(1)), link.group(2));
            }
            try { Thread.sleep(25); } catch (InterruptedException e) { Thread.currentThread().interrupt(); }
        }
        throw new AssertionError("fewer than " + count + " emails reached " + to);
    }
}
