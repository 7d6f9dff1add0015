package dev.parley.platform.embedded;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;

import dev.parley.support.ApiClient;
import dev.parley.support.TestServices;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The embedded default survives crashes like a real deployment, checked on the packaged jar:
 * <ol>
 *   <li>the embedded PostgreSQL killed with SIGKILL in the middle of sends loses no message
 *       the server acknowledged;</li>
 *   <li>the JVM killed with SIGKILL takes the embedded PostgreSQL and Redis down with it (a
 *       watchdog per server), and the next start comes up with the data;</li>
 *   <li>when even the watchdogs are gone (killed along with the JVM), the servers left running on
 *       the data directory are stopped by the next start, which comes up with the data.</li>
 * </ol>
 * One run of three starts, each step starting from the state the previous one left.
 */
class EmbeddedCrashIT {
    private static final int SENDERS = 4;

    @Test
    void acknowledgedMessagesAndAccountsSurviveKilledDatabaseAndKilledServer() throws Exception {
        Path dataDir = Files.createTempDirectory("parley-crash-it").resolve("data");
        int port = TestServices.freePort();
        ApiClient api = new ApiClient("http://127.0.0.1:" + port);
        String[] noLimits = {"--parley.rate-limit.enabled=false"};

        // 1. Sends, and PostgreSQL killed (every process of it) in the middle of them.
        Process first = PackagedJar.start(dataDir, port, noLimits);
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        String aliceEmail;
        try {
            System.out.println("Crash IT: healthy " + PackagedJar.awaitHealthy(api, first) + " ms after launch (fresh data dir)");
            try (Connection c = PackagedJar.superuser(dataDir, "parley"); Statement st = c.createStatement()) {
                for (String setting : List.of("fsync", "synchronous_commit", "full_page_writes")) {
                    try (ResultSet rs = st.executeQuery("SHOW " + setting)) {
                        rs.next();
                        assertThat(rs.getString(1)).as(setting).isEqualTo("on");
                    }
                }
            }
            assertThatThrownBy(() -> PackagedJar.connectWith(dataDir, "parley", "postgres", null).close())
                    .as("the superuser needs its password").isInstanceOf(java.sql.SQLException.class);
            aliceEmail = "alice-" + System.nanoTime() + "@example.test";
            String bobEmail = "bob-" + System.nanoTime() + "@example.test";
            assertThat(api.post("/api/user", Map.of("name", "Alice", "email", aliceEmail, "password", "password123")).status()).isEqualTo(200);
            assertThat(api.post("/api/user", Map.of("name", "Bob", "email", bobEmail, "password", "password123")).status()).isEqualTo(200);
            try (Connection c = PackagedJar.applicationRole(dataDir); Statement st = c.createStatement()) {
                st.executeUpdate("UPDATE users SET email_confirmed = true"); // no SMTP here to click the link
            }
            var login = api.post("/api/auth/login", Map.of("email", aliceEmail, "password", "password123", "os", "Linux", "browser", "IT"));
            assertThat(login.status()).isEqualTo(200);
            String token = login.data().get("accessToken").asString();
            long bobId = api.post("/api/auth/login", Map.of("email", bobEmail, "password", "password123", "os", "Linux", "browser", "IT"))
                    .data().get("userID").asLong();

            AtomicBoolean sending = new AtomicBoolean(true);
            ExecutorService senders = Executors.newFixedThreadPool(SENDERS);
            for (int s = 0; s < SENDERS; s++) {
                int sender = s;
                senders.submit(() -> {
                    for (int n = 0; sending.get(); n++) {
                        String text = "m-" + sender + "-" + n;
                        try {
                            if (api.post("/api/message/" + bobId, Map.of("message", text), token).status() == 200) acknowledged.add(text);
                        } catch (IllegalStateException refusedOrTimedOut) {
                            // not acknowledged: nothing to check for this one
                        }
                    }
                });
            }
            awaitAtLeast(acknowledged, 150, Duration.ofSeconds(120));
            List<ProcessHandle> postgres = PackagedJar.processesIn(dataDir.resolve("postgres"));
            assertThat(postgres).isNotEmpty();
            postgres.forEach(ProcessHandle::destroyForcibly); // SIGKILL to the postmaster and every backend at once
            int atKill = acknowledged.size();
            Thread.sleep(1000); // sends keep trying against the dead database for a moment
            sending.set(false);
            senders.shutdown();
            assertThat(senders.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
            System.out.println("Crash IT: " + atKill + " messages acknowledged when PostgreSQL was killed, " + acknowledged.size() + " in all");

            // 2. The JVM killed too: its watchdogs take Redis (and what is left of PostgreSQL) down.
            PackagedJar.kill(first);
            PackagedJar.assertNoProcessUses(dataDir, Duration.ofSeconds(30));
        } finally {
            if (first.isAlive()) PackagedJar.kill(first);
        }

        Process second = PackagedJar.start(dataDir, port, noLimits);
        List<ProcessHandle> orphans;
        try {
            System.out.println("Crash IT: healthy " + PackagedJar.awaitHealthy(api, second) + " ms after launch (after SIGKILL of PostgreSQL and of the JVM)");
            Set<String> stored = new HashSet<>();
            try (Connection c = PackagedJar.applicationRole(dataDir); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT body FROM messages")) {
                while (rs.next()) stored.add(rs.getString(1));
            }
            assertThat(stored).as("every acknowledged message is stored").containsAll(acknowledged);
            assertEmailTaken(api, aliceEmail);

            // 3. Watchdogs and JVM killed together: PostgreSQL and Redis keep running, orphaned.
            List<ProcessHandle> watchdogs = ProcessHandle.allProcesses()
                    .filter(p -> p.info().commandLine().map(c -> c.contains("parley-watchdog") && c.contains(dataDir.toString())).orElse(false))
                    .toList();
            assertThat(watchdogs).hasSize(2);
            watchdogs.forEach(ProcessHandle::destroyForcibly);
            for (ProcessHandle w : watchdogs) w.onExit().get(10, TimeUnit.SECONDS);
            PackagedJar.kill(second);
        } finally {
            if (second.isAlive()) PackagedJar.kill(second);
        }
        // The servers themselves (the backends that served the dead JVM's connections end with them).
        orphans = List.of(ProcessHandle.of(PackagedJar.postmasterPid(dataDir)).orElseThrow(),
                ProcessHandle.of(Long.parseLong(Files.readString(dataDir.resolve("redis/redis.pid")).strip())).orElseThrow());
        Thread.sleep(500);
        assertThat(orphans).as("PostgreSQL and Redis outlive a JVM killed with its watchdogs").allMatch(ProcessHandle::isAlive);

        Process third = PackagedJar.start(dataDir, port, noLimits);
        try {
            System.out.println("Crash IT: healthy " + PackagedJar.awaitHealthy(api, third) + " ms after launch (with orphaned PostgreSQL and Redis)");
            assertThat(orphans).as("the orphans were stopped").noneMatch(ProcessHandle::isAlive);
            assertEmailTaken(api, aliceEmail);
        } finally {
            PackagedJar.stop(third);
        }
        PackagedJar.assertNoProcessUses(dataDir, Duration.ofSeconds(10));
        PackagedJar.deleteAfterSuccess(dataDir.getParent());
    }

    private static void assertEmailTaken(ApiClient api, String email) {
        var taken = api.post("/api/user/check-email", Map.of("email", email));
        assertThat(taken.status()).isEqualTo(400);
        assertThat(taken.message()).isEqualTo("Email already in use");
    }

    private static void awaitAtLeast(Set<String> acknowledged, int count, Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (acknowledged.size() < count) {
            if (System.nanoTime() > deadline) throw new AssertionError("only " + acknowledged.size() + " sends acknowledged in " + max);
            Thread.sleep(20);
        }
    }
}
