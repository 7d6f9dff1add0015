package dev.parley.user;

import java.util.Map;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import dev.parley.support.IntegrationTest;
import dev.parley.support.TestServices;

import static org.assertj.core.api.Assertions.assertThat;

/** Search answers at most 50 users however many match. */
class SearchResultLimitTest extends IntegrationTest {

    @Test
    void searchReturnsAtMost50() throws Exception {
        String stem = "Q" + TestServices.RUN_ID.substring(0, 6); // unique to this run
        // 51 matches, registered side by side (each registration also sends its email); not confirmed:
        // search lists them anyway (it excludes only deleted accounts)
        try (var pool = Executors.newFixedThreadPool(8)) {
            var registrations = IntStream.range(0, 51).mapToObj(i -> pool.submit(() ->
                    api.post("/api/user", Map.of("name", stem + i, "email", uniqueEmail("q" + i), "password", PASSWORD)).status())).toList();
            for (var r : registrations) assertThat(r.get()).isEqualTo(200);
        }
        var searcher = signUp("Seeker");
        var hits = api.post("/api/user/search", Map.of("name", stem.toLowerCase()), searcher.accessToken()).data();
        assertThat(hits).hasSize(50);
        assertThat(hits.valueStream().map(h -> h.get("name").asString())).allMatch(n -> n.startsWith(stem));
        // a narrower query still finds what it should: the cap is on the answer, not the matching
        assertThat(api.post("/api/user/search", Map.of("name", stem + "50"), searcher.accessToken()).data()).hasSize(1);
    }
}
