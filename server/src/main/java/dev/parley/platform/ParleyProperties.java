package dev.parley.platform;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Parley's own settings, all under {@code parley.*}. Standard Spring names
 * ({@code server.port}, {@code spring.datasource.*}, {@code spring.data.redis.*},
 * {@code spring.mail.*}) configure everything else.
 */
@ConfigurationProperties("parley")
public record ParleyProperties(
        /** Public origin of the web client; email links and the default CORS origin derive from it. */
        @DefaultValue("http://localhost:8080") String publicUrl,
        /** Where embedded PostgreSQL/Redis keep their data and a generated JWT secret is stored. */
        @DefaultValue("./data") Path dataDir,
        @DefaultValue Socket socket,
        @DefaultValue Cors cors,
        @DefaultValue Jwt jwt,
        @DefaultValue Auth auth,
        @DefaultValue Session session,
        @DefaultValue RateLimit rateLimit,
        @DefaultValue Redis redis) {

    public record Socket(
            @DefaultValue("8081") int port,
            @DefaultValue("0.0.0.0") String host,
            /** URL browsers use for Socket.IO; empty = same host as the page, on {@code port}. */
            String publicUrl) {}

    public record Cors(@DefaultValue List<String> allowedOrigins) {}

    public record Jwt(
            /** HS256 secret (≥ 32 bytes). Empty = generated once and kept in the data directory. */
            String secret,
            @DefaultValue("15m") Duration accessTokenTtl) {}

    public record Auth(
            @DefaultValue("true") boolean requireEmailConfirmation,
            @DefaultValue("10") int bcryptCost,
            @DefaultValue("24h") Duration emailTokenTtl) {}

    public record Session(
            /** Sliding expiry: a session unused this long is gone. */
            @DefaultValue("30d") Duration ttl,
            /** Absolute expiry: no session outlives this, however active. */
            @DefaultValue("90d") Duration absoluteTtl,
            @DefaultValue("10") int maxPerUser,
            /** How long the most recently rotated refresh token is still accepted (racing tabs). */
            @DefaultValue("30s") Duration refreshGrace) {}

    public record RateLimit(
            @DefaultValue("true") boolean enabled,
            /** Overrides of the named limits, e.g. {@code login-ip: 30/1m}. */
            @DefaultValue java.util.Map<String, String> rules) {}

    public record Redis(
            /** Prefix of every Redis key and channel, so several deployments can share one Redis. */
            @DefaultValue("parley:") String keyPrefix) {}

    /** Origins allowed by CORS: the configured list plus the origin of {@link #publicUrl()}. */
    public List<String> allowedOrigins() {
        var origins = new java.util.LinkedHashSet<String>();
        origins.add(originOf(publicUrl));
        for (String o : cors.allowedOrigins()) {
            if (!o.isBlank()) origins.add(o.trim().replaceAll("/+$", ""));
        }
        return List.copyOf(origins);
    }

    static String originOf(String url) {
        var uri = java.net.URI.create(url);
        return uri.getScheme() + "://" + uri.getRawAuthority();
    }

    /** Public URL without a trailing slash, for building links. */
    public String publicBaseUrl() {
        return publicUrl.replaceAll("/+$", "");
    }
}
