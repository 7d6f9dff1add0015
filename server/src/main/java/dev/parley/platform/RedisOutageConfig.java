package dev.parley.platform;

import io.lettuce.core.ClientOptions;

import org.springframework.boot.data.redis.autoconfigure.LettuceClientOptionsBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * While Redis is unreachable, commands fail at once instead of queueing in the client until it
 * reconnects or they time out (5 s each). Every Redis use has an answer for an outage (a 503, a
 * failed heartbeat retried, a resync), so failing fast costs nothing, and it keeps requests and
 * heartbeats from piling up as blocked threads: in the fault test, hundreds of queued writers on
 * the reconnecting connection stalled the two virtual-thread carriers of a 2-core machine for
 * over a minute after Redis came back (Lettuce's SharedLock spins while the reconnect drains them).
 */
@Configuration(proxyBeanMethods = false)
class RedisOutageConfig {

    @Bean
    LettuceClientOptionsBuilderCustomizer rejectCommandsWhileDisconnected() {
        return builder -> builder.disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS);
    }
}
