package dev.parley.platform;

import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.parley.support.IntegrationTest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The contract's limits hold exactly at their edges: the limit itself is accepted, one past it is
 * refused with 400 and changes nothing. Lengths count characters, not bytes ("é" is two in UTF-8).
 */
class LimitsBoundaryTest extends IntegrationTest {

    private static String chars(int n) {
        return "é".repeat(n);
    }

    @Test
    void messagesOfUpTo4096Characters() {
        var ann = signUp("Ann");
        var ben = signUp("Ben");
        var atLimit = api.post("/api/message/" + ben.id(), Map.of("message", chars(4096)), ann.accessToken());
        assertThat(atLimit.status()).isEqualTo(200);
        assertThat(atLimit.data().get("message").asString()).isEqualTo(chars(4096));
        assertThat(api.post("/api/message/" + ben.id(), Map.of("message", chars(4097)), ann.accessToken()).status()).isEqualTo(400);
        long id = atLimit.data().get("messageID").asLong();
        assertThat(api.put("/api/message?message-id=" + id, Map.of("message", "x".repeat(4096)), ann.accessToken()).status()).isEqualTo(200);
        assertThat(api.put("/api/message?message-id=" + id, Map.of("message", "y".repeat(4097)), ann.accessToken()).status()).isEqualTo(400);
        var stored = api.get("/api/message/" + ann.id() + "?take=10&before=" + Long.MAX_VALUE, ben.accessToken()).data();
        assertThat(stored).hasSize(1);
        assertThat(stored.get(0).get("message").asString()).isEqualTo("x".repeat(4096));
    }

    @Test
    void namesOf2To20CharactersAtRegistrationAndChange() {
        for (int n : new int[] {2, 20}) {
            assertThat(api.post("/api/user", Map.of("name", chars(n), "email", uniqueEmail("n" + n), "password", PASSWORD)).status())
                    .as("register with a %d-character name", n).isEqualTo(200);
        }
        for (int n : new int[] {1, 21}) {
            String email = uniqueEmail("n" + n);
            var r = api.post("/api/user", Map.of("name", chars(n), "email", email, "password", PASSWORD));
            assertThat(r.status()).as("register with a %d-character name", n).isEqualTo(400);
            assertThat(api.post("/api/user/check-email", Map.of("email", email)).status()).as("nobody registered").isEqualTo(200);
        }
        var yan = signUp("Yan");
        for (int n : new int[] {2, 20}) {
            assertThat(api.post("/api/user/change/name", Map.of("newName", chars(n)), yan.accessToken()).status()).isEqualTo(200);
            assertThat(api.get("/api/user/me", yan.accessToken()).data().get("name").asString()).isEqualTo(chars(n));
        }
        for (int n : new int[] {1, 21}) {
            assertThat(api.post("/api/user/change/name", Map.of("newName", chars(n)), yan.accessToken()).status()).isEqualTo(400);
        }
        assertThat(api.get("/api/user/me", yan.accessToken()).data().get("name").asString()).isEqualTo(chars(20));
    }

    @Test
    void biosOfUpTo100Characters() {
        var zoe = signUp("Zoe");
        assertThat(api.post("/api/user/change/bio", Map.of("newBio", chars(100)), zoe.accessToken()).status()).isEqualTo(200);
        assertThat(api.get("/api/user/me", zoe.accessToken()).data().get("bio").asString()).isEqualTo(chars(100));
        assertThat(api.post("/api/user/change/bio", Map.of("newBio", chars(101)), zoe.accessToken()).status()).isEqualTo(400);
        assertThat(api.get("/api/user/me", zoe.accessToken()).data().get("bio").asString()).isEqualTo(chars(100));
        assertThat(api.post("/api/user/change/bio", Map.of("newBio", ""), zoe.accessToken()).status()).isEqualTo(200);
    }

    @Test
    void passwordsOf8To100Characters() {
        for (int n : new int[] {8, 100}) {
            assertThat(api.post("/api/user", Map.of("name", "Pw", "email", uniqueEmail("pw" + n), "password", chars(n))).status())
                    .as("register with a %d-character password", n).isEqualTo(200);
        }
        for (int n : new int[] {7, 101}) {
            assertThat(api.post("/api/user", Map.of("name", "Pw", "email", uniqueEmail("pw" + n), "password", chars(n))).status())
                    .as("register with a %d-character password", n).isEqualTo(400);
        }
    }
}
