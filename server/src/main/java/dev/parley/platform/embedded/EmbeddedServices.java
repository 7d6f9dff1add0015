package dev.parley.platform.embedded;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

import org.apache.commons.logging.Log;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.event.ApplicationFailedEvent;
import org.springframework.boot.logging.DeferredLogFactory;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Zero-setup default: when no database URL (or no Redis URL/host) is configured, start a real
 * PostgreSQL 17 and a real Redis from binaries shipped in Maven artifacts, keep their data under
 * {@code parley.data-dir}, and point {@code spring.datasource.*} / {@code spring.data.redis.*} at
 * them ({@code parley.embedded.enabled=false} turns this off). Runs before the context is built so
 * the auto-configured DataSource and Redis client simply see URLs. The services stop after every
 * bean has been destroyed.
 *
 * <p>As safe as a real deployment: durable settings, generated passwords (files 0600 in the data
 * directory), the application as a non-superuser role, and no server left behind by a killed JVM
 * (a watchdog stops them, and the next start stops whatever still runs on its data directory).
 */
public class EmbeddedServices implements EnvironmentPostProcessor, DisposableBean {
    /** Files in parley.data-dir, named in the README. */
    static final String SUPERUSER_PASSWORD_FILE = "postgres-superuser-password";
    static final String ROLE_PASSWORD_FILE = "postgres-password";
    private static final String LOCK_FILE = "parley.lock";

    /** Runs before logging is set up: Spring Boot replays these messages once it is. */
    private final Log log;

    private PostgresServer postgres;
    private RedisServer redis;
    /** Holds the lock on parley.lock while open. */
    private FileChannel lockChannel;
    /** Stops the services if the JVM exits before a context takes over their shutdown. */
    private final Thread orphanGuard = Thread.ofPlatform().unstarted(this::destroy);

    public EmbeddedServices(DeferredLogFactory logs) {
        this.log = logs.getLog(EmbeddedServices.class);
    }

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
            if (!Files.exists(dataDir)) SecretFile.privateDirectory(dataDir);
            lockDataDirectory(dataDir);
            if (needPostgres) startPostgres(dataDir, props);
            if (needRedis) startRedis(dataDir.resolve("redis"), props);
        } catch (IOException | SQLException | RuntimeException e) {
            destroy();
            throw new IllegalStateException("Could not start embedded services in " + dataDir, e);
        }
        env.getPropertySources().addFirst(new MapPropertySource("parleyEmbeddedServices", props));
        application.addInitializers(ctx -> registerForShutdown(ctx));
        // A start that fails after this point still stops the services.
        application.addListeners((ApplicationListener<ApplicationFailedEvent>) failed -> destroy());
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

    /**
     * One Parley per data directory. The lock dies with the process, so a leftover server found
     * after taking it belongs to a Parley that is gone and may be stopped.
     */
    private void lockDataDirectory(Path dataDir) throws IOException {
        lockChannel = FileChannel.open(dataDir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        if (lockChannel.tryLock() == null) {
            lockChannel.close();
            lockChannel = null;
            throw new IllegalStateException("Another Parley is running with data directory " + dataDir);
        }
    }

    private void startPostgres(Path dataDir, Map<String, Object> props) throws IOException, SQLException {
        long t0 = System.nanoTime();
        Path pgData = dataDir.resolve("postgres");
        PostgresServer.stopLeftover(pgData, log);
        Path home = PostgresBinaries.unpackUnder(dataDir.resolve("postgres-binaries"), log);
        String superuserPassword = SecretFile.readOrCreate(dataDir.resolve(SUPERUSER_PASSWORD_FILE));
        String rolePassword = SecretFile.readOrCreate(dataDir.resolve(ROLE_PASSWORD_FILE));
        postgres = new PostgresServer(home, pgData, dataDir.resolve("postgres.log"), superuserPassword, log);
        postgres.start();
        PostgresAccess.grant(postgres, rolePassword, log);
        props.put("spring.datasource.url", postgres.jdbcUrl(PostgresAccess.DATABASE));
        props.put("spring.datasource.username", PostgresAccess.ROLE);
        props.put("spring.datasource.password", rolePassword);
        log.info("Embedded PostgreSQL on 127.0.0.1:" + postgres.port() + " with data in " + pgData
                + " (" + (System.nanoTime() - t0) / 1_000_000 + " ms)");
    }

    private void startRedis(Path dir, Map<String, Object> props) throws IOException {
        RedisServer.stopLeftover(dir, log);
        redis = new RedisServer(dir, log);
        redis.start();
        props.put("spring.data.redis.url", "redis://:" + redis.password() + "@127.0.0.1:" + redis.port());
        log.info("Embedded Redis on 127.0.0.1:" + redis.port() + " with data in " + dir);
    }

    @Override
    public synchronized void destroy() {
        if (redis != null) {
            redis.stop();
            redis = null;
        }
        if (postgres != null) {
            postgres.stop();
            postgres = null;
        }
        if (lockChannel != null) {
            try {
                lockChannel.close(); // releases the lock
            } catch (IOException e) {
                log.warn("Releasing the data directory lock failed", e);
            }
            lockChannel = null;
        }
    }

    static int freePort() throws IOException {
        try (var socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }
}
