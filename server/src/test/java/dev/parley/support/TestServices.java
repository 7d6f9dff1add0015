package dev.parley.support;

import java.io.IOException;
import java.net.ServerSocket;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.UUID;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;

/**
 * The real services every integration test talks to, set up once per test JVM:
 * a fresh PostgreSQL database on the local server (dropped at exit), a unique Redis key prefix on
 * the local Redis (so parallel runs never collide), and a GreenMail SMTP server.
 * Override the servers with PARLEY_TEST_PG (JDBC URL of the server, no database) and
 * PARLEY_TEST_REDIS (redis:// URL).
 */
public final class TestServices {
    public static final String PG_SERVER = env("PARLEY_TEST_PG", "jdbc:postgresql://127.0.0.1:5432/");
    public static final String PG_USER = env("PARLEY_TEST_PG_USER", "postgres");
    public static final String REDIS_URL = env("PARLEY_TEST_REDIS", "redis://127.0.0.1:6379");
    public static final String RUN_ID = UUID.randomUUID().toString().substring(0, 8);

    private static String databaseUrl;
    private static GreenMail greenMail;

    private TestServices() {}

    /** A database of its own for this JVM, created on first use. */
    public static synchronized String databaseUrl() {
        if (databaseUrl == null) databaseUrl = createDatabase("parley_test_" + RUN_ID);
        return databaseUrl;
    }

    /** Creates another empty database (e.g. for a test that needs a clean schema); dropped at exit. */
    public static String createDatabase(String name) {
        try (var c = DriverManager.getConnection(PG_SERVER + "postgres", PG_USER, "");
             var st = c.createStatement()) {
            st.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("Tests need PostgreSQL at " + PG_SERVER + " (user " + PG_USER + ")", e);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try (var c = DriverManager.getConnection(PG_SERVER + "postgres", PG_USER, "");
                 var st = c.createStatement()) {
                st.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            } catch (SQLException ignored) {
                // best effort
            }
        }));
        return PG_SERVER + name;
    }

    public static String redisPrefix() {
        return "parley-test-" + RUN_ID + ":";
    }

    public static synchronized GreenMail greenMail() {
        if (greenMail == null) {
            greenMail = new GreenMail(new ServerSetup(freePort(), "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
            greenMail.start();
            Runtime.getRuntime().addShutdownHook(new Thread(greenMail::stop));
        }
        return greenMail;
    }

    public static int freePort() {
        try (var s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String env(String name, String dflt) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? dflt : v;
    }
}
