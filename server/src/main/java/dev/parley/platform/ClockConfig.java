package dev.parley.platform;

import java.time.Clock;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration
@EnableConfigurationProperties(ParleyProperties.class)
public class ClockConfig {
    /** One clock for the whole server, so tests can reason about expiry. */
    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }
}
