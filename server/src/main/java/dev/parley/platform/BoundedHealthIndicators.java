package dev.parley.platform;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

import javax.sql.DataSource;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.data.redis.health.DataRedisHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.jdbc.health.DataSourceHealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.RedisConnectionFactory;

/**
 * The {@code db} and {@code redis} health indicators, each bounded by
 * {@code parley.health.timeout} (default 800 ms): with a dependency down, Boot's own indicators wait
 * for the pool's / client's connect timeouts (seconds), and {@code /actuator/health} must answer
 * within 1 s — 503 while a dependency is down. A check still running when the next request comes
 * is shared, so a hung dependency never piles up checking threads. The bean names replace Boot's
 * auto-configured indicators (same health component names).
 */
@Configuration(proxyBeanMethods = false)
class BoundedHealthIndicators {

    @Bean
    HealthIndicator dbHealthContributor(DataSource dataSource, @Value("${parley.health.timeout:800ms}") Duration timeout) {
        var check = new DataSourceHealthIndicator(dataSource, "SELECT 1");
        try {
            check.afterPropertiesSet();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return new Bounded(check, timeout);
    }

    @Bean
    HealthIndicator redisHealthContributor(RedisConnectionFactory redis, @Value("${parley.health.timeout:800ms}") Duration timeout) {
        return new Bounded(new DataRedisHealthIndicator(redis), timeout);
    }

    static final class Bounded implements HealthIndicator {
        private final HealthIndicator check;
        private final Duration timeout;
        private final AtomicReference<CompletableFuture<Health>> running = new AtomicReference<>();

        Bounded(HealthIndicator check, Duration timeout) {
            this.check = check;
            this.timeout = timeout;
        }

        @Override
        public Health health() {
            CompletableFuture<Health> f = running.get();
            if (f == null || f.isDone()) {
                var fresh = new CompletableFuture<Health>();
                if (running.compareAndSet(f, fresh)) {
                    Thread.ofVirtual().name("health-check").start(() -> {
                        try {
                            fresh.complete(check.health());
                        } catch (Throwable t) {
                            fresh.complete(Health.down(t instanceof Exception e ? e : new RuntimeException(t)).build());
                        }
                    });
                }
                f = running.get();
            }
            try {
                return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                return Health.down().withDetail("error", "no answer within " + timeout.toMillis() + " ms").build();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Health.down().withDetail("error", "interrupted").build();
            } catch (ExecutionException e) {
                return Health.down(e).build();
            }
        }
    }
}
