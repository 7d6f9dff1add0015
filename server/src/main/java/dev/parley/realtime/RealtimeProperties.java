package dev.parley.realtime;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/** Settings of the Socket.IO gateway and the cluster fan-out, under {@code parley.realtime.*}. */
@ConfigurationProperties("parley.realtime")
public record RealtimeProperties(
        /** How often a node renews its heartbeat, refreshes its view of the other nodes and reaps dead ones. */
        @DefaultValue("5s") Duration heartbeatInterval,
        /** A node whose heartbeat is older than this is dead: its sockets leave presence (must be > interval). */
        @DefaultValue("20s") Duration nodeTtl,
        /** A socket that has not completed {@code user:connect} by then is dropped. */
        @DefaultValue("10s") Duration authTimeout,
        /** Largest accepted Socket.IO frame / polling body. */
        @DefaultValue("65536") int maxPayloadBytes,
        /** Event-loop threads of the Socket.IO listener; 0 = one per core (Netty's own default, 2 × cores,
         *  measured 2-16 % slower at C=64 on 2 cores: more loops, more wake-ups). */
        @DefaultValue("0") int ioThreads,
        /** Events one socket may send per second on average (token bucket; off when rate limiting is disabled). */
        @DefaultValue("20") int socketEventRate,
        /** Events one socket may send in a burst before {@code socketEventRate} applies. */
        @DefaultValue("50") int socketEventBurst,
        /** Work items of one socket queued or running at once; beyond it events are answered 429 at once. */
        @DefaultValue("64") int socketMaxPending,
        /** A socket refused more often than this (forgiven at {@code socketEventRate}/s) is disconnected. */
        @DefaultValue("500") int socketMaxRefusals) {}
