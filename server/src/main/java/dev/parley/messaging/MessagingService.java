package dev.parley.messaging;

import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.stereotype.Service;

import dev.parley.platform.ApiException;
import dev.parley.platform.Validate;
import dev.parley.ratelimit.RateLimiter;
import dev.parley.user.UserService;
import dev.parley.messaging.MessagingEvents.DialogRead;
import dev.parley.messaging.MessagingEvents.MessageDeleted;
import dev.parley.messaging.MessagingEvents.MessageRead;
import dev.parley.messaging.MessagingEvents.MessageSent;
import dev.parley.messaging.MessagingEvents.MessageUpdated;

/**
 * The rules of 1:1 messaging, shared by REST and the socket gateway. Every change is one SQL
 * statement (its own transaction); domain events are published only after it committed, so a
 * listener never announces something that could still roll back.
 */
@Service
public class MessagingService {
    public static final int TAKE_MAX = 100;
    public static final int SYNC_MAX = 500;

    private final MessageRepository repo;
    private final ApplicationEventPublisher events;
    private final RateLimiter rateLimiter;
    private final ObjectProvider<ContactPresence> presence;
    private final UserService users;

    MessagingService(MessageRepository repo, ApplicationEventPublisher events, RateLimiter rateLimiter,
                     ObjectProvider<ContactPresence> presence, UserService users) {
        this.users = users;
        this.repo = repo;
        this.events = events;
        this.rateLimiter = rateLimiter;
        this.presence = presence;
    }

    /** Result of a send; {@code duplicate} when the clientMessageID was seen before (nothing emitted). */
    public record SendResult(MessageView message, boolean duplicate) {}

    public SendResult send(long sender, long receiver, String text, String clientMessageId) {
        String body = Validate.messageText(text, "message");
        UUID cmid = parseClientId(clientMessageId);
        if (receiver <= 0) throw ApiException.badRequest("Receiver user not found");
        rateLimiter.hit("message-send-user", Long.toString(sender));
        for (int attempt = 0; ; attempt++) {
            MessageRepository.Sent sent;
            try {
                sent = repo.send(sender, receiver, body, cmid).orElse(null);
            } catch (DataIntegrityViolationException e) {
                // the dialog was removed (its last message deleted) between lookup and insert
                if (attempt < 3) continue;
                throw e;
            }
            if (sent != null) {
                events.publishEvent(new MessageSent(sent.message(), sent.dialogCreated(), sent.senderName(), sent.receiverName()));
                return new SendResult(sent.message(), false);
            }
            if (cmid != null) {
                var original = repo.findByClientId(sender, cmid);
                if (original.isPresent()) return new SendResult(original.get(), true);
            }
            if (!users.existsActive(receiver)) throw ApiException.badRequest("Receiver user not found");
            // another transaction created the dialog at the same moment: the retry sees it
            if (attempt >= 3) throw new IllegalStateException("Could not store message after retries");
        }
    }

    public List<MessageView> history(long me, long peer, int take, int skip, Long before) {
        if (before == null && skip == 0) {
            // skip=0 is "the dialog is open": everything from the peer is read, and the peer learns it
            // (emitted even when nothing was unread, as the core server did; clients treat it as idempotent).
            repo.markDialogRead(me, peer);
            events.publishEvent(new DialogRead(me, peer));
        }
        return repo.history(me, peer, take, skip, before);
    }

    public void edit(long me, long messageId, String text) {
        String body = Validate.messageText(text, "message");
        MessageView updated = repo.edit(me, messageId, body).orElseThrow(() -> notYours(messageId));
        events.publishEvent(new MessageUpdated(updated));
    }

    public void delete(long me, long messageId) {
        var ref = repo.delete(me, messageId).orElseThrow(() -> notYours(messageId));
        boolean removed;
        try {
            removed = repo.deleteIfEmpty(ref.conversationId());
        } catch (DataIntegrityViolationException e) {
            removed = false; // a new message arrived meanwhile: the dialog stays
        }
        long receiver = ref.receiverId() == null ? ref.senderId() : ref.receiverId();
        events.publishEvent(new MessageDeleted(messageId, ref.senderId(), receiver, removed));
    }

    public void markRead(long me, long messageId) {
        var ref = repo.markRead(me, messageId).orElseThrow(() -> ApiException.badRequest("Message not found"));
        long receiver = ref.receiverId() == null ? ref.senderId() : ref.receiverId();
        if (receiver != me) throw ApiException.unauthorized("Only the receiver can mark a message read");
        events.publishEvent(new MessageRead(me, ref.senderId(), messageId));
    }

    public long unreadFrom(long me, long peer) {
        return repo.unreadFrom(me, peer);
    }

    public List<DialogView> dialogs(long me) {
        var rows = repo.dialogs(me);
        if (rows.isEmpty()) return List.of();
        Set<Long> online = onlineAmong(rows.stream().map(MessageRepository.DialogRow::peerId).toList());
        return rows.stream().map(r -> new DialogView(r.peerId(), r.peerName(), r.lastMessage(), r.createdAt(), r.unread(),
                DialogView.status(online.contains(r.peerId())))).toList();
    }

    public List<MessageView> since(long me, long after, int limit) {
        return repo.since(me, after, limit);
    }

    /** Everyone who shares a dialog with the user: they see the user's presence and profile changes. */
    public List<Long> contactsOf(long userId) {
        return repo.contactsOf(userId);
    }

    private Set<Long> onlineAmong(Collection<Long> ids) {
        ContactPresence p = presence.getIfAvailable();
        return p == null ? Set.of() : p.onlineAmong(ids);
    }

    private ApiException notYours(long messageId) {
        return repo.ref(messageId).isPresent()
                ? ApiException.unauthorized("You can only change your own messages")
                : ApiException.badRequest("Message not found");
    }

    private static UUID parseClientId(String raw) {
        if (raw == null || raw.isEmpty()) return null;
        try {
            if (raw.length() != 36) throw new IllegalArgumentException();
            return UUID.fromString(raw);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("clientMessageID must be a UUID");
        }
    }
}
