package dev.parley.messaging;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The contract's message object. Timestamps are ISO-8601 strings with offset (UTC, millisecond
 * precision), formatted once here so REST and socket payloads are identical.
 */
public record MessageView(
        @JsonProperty("messageID") long messageID,
        @JsonProperty("senderID") long senderID,
        @JsonProperty("receiverID") long receiverID,
        @JsonProperty("message") String message,
        @JsonProperty("createdAt") String createdAt,
        @JsonProperty("updatedAt") String updatedAt,
        @JsonProperty("isUpdated") boolean isUpdated,
        @JsonProperty("isReaded") boolean isReaded) {}
