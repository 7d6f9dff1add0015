package dev.parley.platform.embedded;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import redis.embedded.core.ExecutableProvider;

import dev.parley.support.ApiClient;
import dev.parley.support.TestServices;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Who can reach the embedded services, checked on the packaged jar started on a data directory
 * written the way earlier versions wrote it (PostgreSQL with trust authentication and the tables
 * owned by the superuser in database {@code postgres}; Redis with a snapshot and no append-only
 * file): it is upgraded in place, keeps its data, and afterwards only the generated passwords
 * open it, the application works as a non-superuser role, and nothing listens in /tmp.
 */
class EmbeddedAccessIT {

    @Test
    void dataDirectoryOfEarlierVersionIsUpgradedToPasswordsAndAnOwnRole() throws Exception {
        Path dataDir = Files.createTempDirectory("parley-access-it").resolve("data");
        String legacyEmail = "legacy-" + System.nanoTime() + "@example.test";
        writeLegacyPostgres(dataDir.resolve("postgres"), legacyEmail);
        String redisPassword = writeLegacyRedis(dataDir.resolve("redis"));

        int port = TestServices.freePort();
        ApiClient api = new ApiClient("http://127.0.0.1:" + port);
        Process server = PackagedJar.start(dataDir, port);
        try {
            System.out.println("Access IT: healthy " + PackagedJar.awaitHealthy(api, server) + " ms after launch (upgrading a legacy data dir)");
            // The data is still there and the application can write to the tables it now owns.
            var taken = api.post("/api/user/check-email", Map.of("email", legacyEmail));
            assertThat(taken.status()).isEqualTo(400);
            assertThat(taken.message()).isEqualTo("Email already in use");
            assertThat(api.post("/api/user", Map.of("name", "New", "email", "new-" + legacyEmail, "password", "password123")).status()).isEqualTo(200);

            // Passwords only: no more trust for the superuser, wrong passwords refused.
            for (String user : List.of("postgres", "parley")) {
                assertThatThrownBy(() -> PackagedJar.connectWith(dataDir, "parley", user, null).close()).isInstanceOf(SQLException.class);
                assertThatThrownBy(() -> PackagedJar.connectWith(dataDir, "parley", user, "wrong").close())
                        .isInstanceOf(SQLException.class).hasMessageContaining("password authentication failed");
            }
            for (String file : List.of("postgres-superuser-password", "postgres-password", "redis/redis-password")) {
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir.resolve(file)))).as(file).isEqualTo("rw-------");
            }

            try (Connection c = PackagedJar.superuser(dataDir, "parley"); Statement st = c.createStatement()) {
                assertThat(single(st, "SELECT rolsuper OR rolcreaterole OR rolcreatedb FROM pg_roles WHERE rolname = 'parley'")).isEqualTo("f");
                assertThat(single(st, "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'parley'")).isEqualTo("parley");
                assertThat(single(st, "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace"
                        + " AND relkind IN ('r', 'S', 'i') AND pg_get_userbyid(relowner) <> 'parley'")).as("objects not owned by parley").isEqualTo("0");
                assertThat(single(st, "SELECT count(*) FROM users")).isEqualTo("2");
                assertThat(single(st, "SELECT count(*) FROM pg_database WHERE datname = 'postgres'")).as("maintenance database").isEqualTo("1");
                // The Unix socket lives in the data directory (0700), not in world-writable /tmp.
                assertThat(single(st, "SHOW unix_socket_directories")).contains(dataDir.resolve("postgres").toString());
                assertThat(single(st, "SHOW listen_addresses")).isEqualTo("127.0.0.1");
            }
            int pgPort = PackagedJar.postgresPort(dataDir);
            assertThat(dataDir.resolve("postgres/.s.PGSQL." + pgPort)).exists();
            assertThat(Path.of("/tmp/.s.PGSQL." + pgPort)).doesNotExist();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir.resolve("postgres")))).isEqualTo("rwx------");

            try (Connection c = PackagedJar.applicationRole(dataDir); Statement st = c.createStatement()) {
                assertThatThrownBy(() -> st.execute("CREATE ROLE intruder LOGIN")).isInstanceOf(SQLException.class).hasMessageContaining("permission denied");
                assertThatThrownBy(() -> st.execute("COPY users TO PROGRAM 'true'")).isInstanceOf(SQLException.class).hasMessageContaining("permission denied");
            }

            // Redis: password required, append-only file on, and the snapshot's keys kept.
            int redisPort = Integer.parseInt(redisPort(dataDir));
            assertThat(redis(redisPort, null, "GET legacy-session")).startsWith("-NOAUTH");
            assertThat(redis(redisPort, redisPassword, "GET legacy-session")).isEqualTo("still-signed-in");
            assertThat(redis(redisPort, redisPassword, "CONFIG GET appendonly")).contains("yes");
            assertThat(redis(redisPort, redisPassword, "CONFIG GET appendfsync")).contains("everysec");
        } finally {
            PackagedJar.stop(server);
        }
        PackagedJar.assertNoProcessUses(dataDir, Duration.ofSeconds(10));
        assertThat(dataDir.resolve("redis/appendonly.aof")).isNotEmptyFile();
        PackagedJar.deleteAfterSuccess(dataDir.getParent());
    }

    /** As the earlier EmbeddedServices did: zonky's defaults (initdb -A trust -U postgres), Flyway as postgres. */
    private static void writeLegacyPostgres(Path pgData, String email) throws Exception {
        Files.createDirectories(pgData);
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().setDataDirectory(pgData).setCleanDataDirectory(false)
                .setRegisterShutdownHook(false).setServerConfig("max_connections", "100").start()) {
            Flyway.configure().dataSource(pg.getJdbcUrl("postgres", "postgres"), "postgres", "")
                    .locations("classpath:db/migration").load().migrate();
            try (Connection c = pg.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
                st.executeUpdate("INSERT INTO users (name, email, password_hash) VALUES ('Legacy', '" + email + "', 'x')");
            }
        }
    }

    /** As the earlier EmbeddedServices did: snapshots only, password in redis-password. */
    private static String writeLegacyRedis(Path dir) throws Exception {
        Files.createDirectories(dir);
        String password = "legacy" + System.nanoTime();
        Files.writeString(dir.resolve("redis-password"), password);
        Files.setPosixFilePermissions(dir.resolve("redis-password"), PosixFilePermissions.fromString("rw-------"));
        int port = TestServices.freePort();
        Process redis = new ProcessBuilder(ExecutableProvider.newJarResourceProvider().get().getAbsolutePath(),
                "--port", Integer.toString(port), "--bind", "127.0.0.1", "--requirepass", password,
                "--dir", dir.toString(), "--save", "60 1", "--appendonly", "no", "--daemonize", "no")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (true) {
                try {
                    assertThat(redis(port, password, "SET legacy-session still-signed-in")).isEqualTo("+OK");
                    break;
                } catch (IOException notYet) {
                    if (System.nanoTime() > deadline) throw notYet;
                    Thread.sleep(50);
                }
            }
            assertThat(redis(port, password, "SAVE")).isEqualTo("+OK");
        } finally {
            redis.destroy();
            redis.waitFor(10, TimeUnit.SECONDS);
        }
        assertThat(dir.resolve("dump.rdb")).exists();
        assertThat(dir.resolve("appendonly.aof")).doesNotExist();
        return password;
    }

    /** The embedded Redis's port, from the process title ("redis-server 127.0.0.1:port") of the pid in its pid file. */
    private static String redisPort(Path dataDir) throws IOException {
        String pid = Files.readString(dataDir.resolve("redis/redis.pid")).strip();
        String title = new String(Files.readAllBytes(Path.of("/proc", pid, "cmdline")), StandardCharsets.UTF_8);
        var port = java.util.regex.Pattern.compile("127\\.0\\.0\\.1:(\\d+)").matcher(title);
        assertThat(port.find()).as(title).isTrue();
        return port.group(1);
    }

    /** One inline command (after AUTH when a password is given); the reply as text. */
    private static String redis(int port, String password, String command) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(5000);
            String request = (password == null ? "" : "AUTH " + password + "\r\n") + command + "\r\n";
            s.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
            var in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            if (password != null) assertThat(in.readLine()).isEqualTo("+OK");
            String reply = in.readLine();
            if (reply == null) throw new IOException("closed");
            if (reply.startsWith("$") && !reply.equals("$-1")) return in.readLine();
            if (reply.startsWith("*")) {
                List<String> items = new ArrayList<>();
                int n = Integer.parseInt(reply.substring(1));
                for (int i = 0; i < n; i++) {
                    in.readLine();
                    items.add(in.readLine());
                }
                return String.join(" ", items);
            }
            return reply;
        }
    }

    private static String single(Statement st, String sql) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            assertThat(rs.next()).isTrue();
            return rs.getString(1);
        }
    }
}
