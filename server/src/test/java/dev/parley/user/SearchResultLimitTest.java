package dev.parley.user;

import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.parley.support.IntegrationTest;
import dev.parley.support.TestServices;

import static org.assertj.core.api.Assertions.assertThat;

/** Search answers at most 50 users however many match. */
class SearchResultLimitTest extends IntegrationTest {

    @Test
    void searchReturnsAtMost50() {
        String stem = "Q" + TestServices.RUN_ID.substring(0, 6); // unique to this run
        for (int i = 0; i < 53; i++) {
            // registered, not confirmed: search lists them anyway (it excludes only deleted accounts)
            var r = api.post("/api/user", Map.of("name", stem + i, "email", uniqueEmail("q" + i), "password", PASSWORD));
            assertThat(r.status()).isEqualTo(200);
        }
        var searcher = signUp("Seeker");
        var hits = api.post("/api/user/search", Map.of("name", stem.toLowerCase()), searcher.accessToken()).data();
        assertThat(hits).hasSize(50);
        assertThat(hits.valueStream().map(h -> h.get("name").asString())).allMatch(n -> n.startsWith(stem));
        // a narrower query still finds what it should: the cap is on the answer, not the matching
        assertThat(api.post("/api/user/search", Map.of("name", stem + "52"), searcher.accessToken()).data()).hasSize(1);
    }
}
