package dev.parley.realtime;

import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

import dev.parley.platform.ApiException;
import dev.parley.platform.ParleyProperties;
import dev.parley.platform.RedisKeys;
import dev.parley.ratelimit.RateLimiter;
import dev.parley.support.TestServices;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A lone node counts message/typing limits in memory (no Redis per message), with the configured rules. */
class NodeAwareRateLimitTest {
    private LettuceConnectionFactory factory;
    private NodeAwareRateLimit limits;
    private StringRedisTemplate redis;
    private RedisKeys keys;

    @BeforeEach
    void setUp() {
        var uri = java.net.URI.create(TestServices.REDIS_URL);
        factory = new LettuceConnectionFactory(new RedisStandaloneConfiguration(uri.getHost(), uri.getPort()));
        factory.afterPropertiesSet();
        factory.start();
        redis = new StringRedisTemplate(factory);
        var props = new Binder(new MapConfigurationPropertySource(Map.of(
                "parley.redis.key-prefix", TestServices.redisPrefix() + "rl-unit:",
                "parley.rate-limit.rules.message-send-user", "3/1m",
                "parley.rate-limit.rules.typing-user", "2/200ms"))).bindOrCreate("parley", ParleyProperties.class);
        var rt = new Binder(new MapConfigurationPropertySource(Map.of())).bindOrCreate("parley.realtime", RealtimeProperties.class);
        keys = new RedisKeys(props);
        var bus = new ClusterBus(factory, redis, keys, rt, new LocalSockets(),
                new dev.parley.auth.VerifiedTokenCache(java.time.Duration.ZERO, java.time.Clock.systemUTC())); // never started: alone
        limits = new NodeAwareRateLimit(new RateLimiter(redis, keys, props), bus);
    }

    @AfterEach
    void tearDown() {
        factory.destroy();
    }

    @Test
    void aloneItCountsLocallyWithTheConfiguredRule() {
        limits.check(42);
        limits.check(42);
        limits.check(42);
        assertThatThrownBy(() -> limits.check(42)).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.status().value()).isEqualTo(429);
            assertThat(e.retryAfter()).isPositive();
        });
        limits.check(43); // per user
        assertThat(redis.keys(keys.of("rl:message-send-user") + "*")).isEmpty(); // no Redis involved
    }

    @Test
    void windowsReset() throws InterruptedException {
        assertThat(limits.tryHit("typing-user", 7)).isNull();
        assertThat(limits.tryHit("typing-user", 7)).isNull();
        assertThat(limits.tryHit("typing-user", 7)).isNotNull();
        Thread.sleep(250);
        assertThat(limits.tryHit("typing-user", 7)).isNull();
    }

    @Test
    void pruneDropsFinishedWindowsAndKeepsLiveOnes() throws Exception {
        assertThat(limits.tryHit("typing-user", 8)).isNull(); // 200 ms window
        for (int i = 0; i < 3; i++) assertThat(limits.tryHit("message-send-user", 9)).isNull(); // 1 min window
        assertThat(limits.tryHit("message-send-user", 9)).isNotNull();
        Thread.sleep(250);
        limits.prune();
        assertThat(windowKeys()).containsExactly("message-send-user:9");
        // the live window still counts: pruning must not hand out a fresh budget
        assertThat(limits.tryHit("message-send-user", 9)).isNotNull();
    }

    /** The keys of the windows counted in memory (the map is private: memory is what prune is for). */
    private java.util.Set<String> windowKeys() throws ReflectiveOperationException {
        var field = NodeAwareRateLimit.class.getDeclaredField("windows");
        field.setAccessible(true);
        return java.util.Set.copyOf(((Map<?, ?>) field.get(limits)).keySet().stream().map(String::valueOf).toList());
    }
}
