package dev.parley.messaging;

/**
 * Domain events of the messaging module, published in-process after the change is committed.
 * The realtime module turns them into socket events; messaging knows nothing about sockets.
 */
public final class MessagingEvents {
    private MessagingEvents() {}

    /**
     * A message was stored. {@code dialogCreated}: it is the first message of the dialog;
     * the names are there so the listener can build both sides' dialog objects without a query.
     */
    public record MessageSent(MessageView message, boolean dialogCreated, String senderName, String receiverName) {}

    /**
     * A send was repeated with a known clientMessageID: the original's first announcement may have
     * been lost (its node died right after the commit, the ack failed). Announced as a hint to sync,
     * never as a second {@code user:new_message}: a core client counts every one of those.
     */
    public record MessageRepeated(MessageView message) {}

    public record MessageUpdated(MessageView message) {}

    public record MessageDeleted(long messageID, long senderID, long receiverID, boolean dialogRemoved) {}

    /** {@code readerId} read the whole dialog with {@code peerId} (history opened at skip=0). */
    public record DialogRead(long readerId, long peerId) {}

    /** {@code readerId} read {@code senderId}'s messages up to {@code messageId}. */
    public record MessageRead(long readerId, long senderId, long messageId) {}
}
