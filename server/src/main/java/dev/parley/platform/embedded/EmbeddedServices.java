package dev.parley.platform.embedded;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import redis.embedded.RedisServer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Zero-setup default: when no database URL (or no Redis URL/host) is configured, start a real
 * PostgreSQL 17 and a real Redis from binaries shipped in Maven artifacts, keep their data under
 * {@code parley.data-dir}, and point {@code spring.datasource.*} / {@code spring.data.redis.*} at
 * them ({@code parley.embedded.enabled=false} turns this off). Runs before the context is built so the auto-configured DataSource and Redis client
 * simply see URLs. The services stop after every bean has been destroyed.
 */
public class EmbeddedServices implements EnvironmentPostProcessor, DisposableBean {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedServices.class);

    private EmbeddedPostgres postgres;
    private RedisServer redis;
    /** Stops the services if the JVM exits before a context takes over their shutdown. */
    private final Thread orphanGuard = Thread.ofPlatform().unstarted(this::destroy);

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment env, SpringApplication application) {
        if (!env.getProperty("parley.embedded.enabled", Boolean.class, true)) return;
        boolean needPostgres = isBlank(env.getProperty("spring.datasource.url"));
        boolean needRedis = isBlank(env.getProperty("spring.data.redis.url"))
                && isBlank(env.getProperty("spring.data.redis.host"));
        if (!needPostgres && !needRedis) return;

        Path dataDir = Path.of(env.getProperty("parley.data-dir", "./data")).toAbsolutePath().normalize();
        Map<String, Object> props = new HashMap<>();
        Runtime.getRuntime().addShutdownHook(orphanGuard);
        try {
            Files.createDirectories(dataDir);
            if (needPostgres) startPostgres(dataDir.resolve("postgres"), props);
            if (needRedis) startRedis(dataDir.resolve("redis"), props);
        } catch (IOException | RuntimeException e) {
            destroy();
            throw new IllegalStateException("Could not start embedded services in " + dataDir, e);
        }
        env.getPropertySources().addFirst(new MapPropertySource("parleyEmbeddedServices", props));
        application.addInitializers(ctx -> registerForShutdown(ctx));
        // A start that fails after this point still stops the services.
        application.addListeners((org.springframework.context.ApplicationListener<
                org.springframework.boot.context.event.ApplicationFailedEvent>) failed -> destroy());
    }

    private void registerForShutdown(ConfigurableApplicationContext ctx) {
        // From now on the context stops the services, after its graceful shutdown; a concurrent
        // JVM hook would pull the database out from under requests still being answered.
        try {
            Runtime.getRuntime().removeShutdownHook(orphanGuard);
        } catch (IllegalStateException alreadyShuttingDown) {
            // fine: the guard runs
        }
        // Registered first, so destroyed last: after the connection pool and Redis client are closed.
        ctx.getBeanFactory().registerSingleton("parleyEmbeddedServices", this);
        if (ctx.getBeanFactory() instanceof org.springframework.beans.factory.support.DefaultListableBeanFactory bf) {
            bf.registerDisposableBean("parleyEmbeddedServices", this);
        }
    }

    private void startPostgres(Path dir, Map<String, Object> props) throws IOException {
        long t0 = System.nanoTime();
        Files.createDirectories(dir);
        postgres = EmbeddedPostgres.builder()
                .setDataDirectory(dir)
                .setCleanDataDirectory(false)
                .setRegisterShutdownHook(false)
                .setServerConfig("max_connections", "100")
                .start();
        props.put("spring.datasource.url", postgres.getJdbcUrl("postgres", "postgres"));
        props.put("spring.datasource.username", "postgres");
        props.put("spring.datasource.password", "");
        log.info("Embedded PostgreSQL on port {} with data in {} ({} ms)", postgres.getPort(), dir,
                (System.nanoTime() - t0) / 1_000_000);
    }

    private void startRedis(Path dir, Map<String, Object> props) throws IOException {
        Files.createDirectories(dir);
        int port = freePort();
        String password = secretIn(dir.resolve("redis-password"));
        redis = RedisServer.newRedisServer()
                .bind("127.0.0.1")
                .port(port)
                .setting("requirepass " + password)
                .setting("dir \"" + dir.toString().replace("\"", "\\\"") + "\"")
                .setting("save 60 1")              // sessions survive a restart
                .setting("appendonly no")
                .setting("protected-mode yes")
                .build();
        redis.start();
        props.put("spring.data.redis.url", "redis://:" + password + "@127.0.0.1:" + port);
        log.info("Embedded Redis on port {} with data in {}", port, dir);
    }

    @Override
    public synchronized void destroy() {
        if (redis != null) {
            try { redis.stop(); } catch (Exception e) { log.warn("Stopping embedded Redis failed", e); }
            redis = null;
        }
        if (postgres != null) {
            try { postgres.close(); } catch (Exception e) { log.warn("Stopping embedded PostgreSQL failed", e); }
            postgres = null;
        }
    }

    /** A random password kept (owner-readable only) next to the data it protects. */
    private static String secretIn(Path file) throws IOException {
        if (!Files.exists(file)) {
            byte[] b = new byte[24];
            new java.security.SecureRandom().nextBytes(b);
            Files.createFile(file, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, java.util.HexFormat.of().formatHex(b));
        }
        return Files.readString(file).strip();
    }

    private static int freePort() throws IOException {
        try (var socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }
}
