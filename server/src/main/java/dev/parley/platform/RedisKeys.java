package dev.parley.platform;

import org.springframework.stereotype.Component;

/** Builds every Redis key and channel name under the configured prefix ({@code parley.redis.key-prefix}). */
@Component
public class RedisKeys {
    private final String prefix;

    public RedisKeys(ParleyProperties props) {
        this.prefix = props.redis().keyPrefix();
    }

    public String of(String kind, Object id) {
        return prefix + kind + ":" + id;
    }

    public String of(String kind) {
        return prefix + kind;
    }
}
