package dev.parley.messaging;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The contract's dialog object, always from the point of view of one user ({@code receiverID} is the other). */
public record DialogView(
        @JsonProperty("receiverID") long receiverID,
        @JsonProperty("receiverName") String receiverName,
        @JsonProperty("lastMessage") String lastMessage,
        @JsonProperty("createdAt") String createdAt,
        @JsonProperty("newMessagesCount") long newMessagesCount,
        @JsonProperty("connectionStatus") String connectionStatus) {

    public static String status(boolean online) {
        return online ? "online" : "offline";
    }
}
