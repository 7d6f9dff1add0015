package dev.parley.messaging;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.dao.DataAccessException;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.stereotype.Service;

import dev.parley.messaging.MessagingEvents.DialogRead;
import dev.parley.messaging.MessagingEvents.MessageDeleted;
import dev.parley.messaging.MessagingEvents.MessageRead;
import dev.parley.messaging.MessagingEvents.MessageRepeated;
import dev.parley.messaging.MessagingEvents.MessageSent;
import dev.parley.messaging.MessagingEvents.MessageUpdated;
import dev.parley.platform.ApiException;
import dev.parley.platform.Validate;
import dev.parley.ratelimit.RateLimiter;
import dev.parley.user.UserService;

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
    private final SendBatcher batcher;
    private final Semaphore inFlight;
    private final ObjectProvider<SendRateLimit> sendRateLimit;
    private final SharedDialogs sharedDialogs;

    MessagingService(MessageRepository repo, ApplicationEventPublisher events, RateLimiter rateLimiter,
                     ObjectProvider<ContactPresence> presence, UserService users,
                     ObjectProvider<SendRateLimit> sendRateLimit, SendBatcher batcher, SharedDialogs sharedDialogs,
                     @Value("${parley.messaging.max-in-flight:512}") int maxInFlight) {
        this.sharedDialogs = sharedDialogs;
        this.inFlight = new Semaphore(maxInFlight);
        this.sendRateLimit = sendRateLimit;
        this.batcher = batcher;
        this.users = users;
        this.repo = repo;
        this.events = events;
        this.rateLimiter = rateLimiter;
        this.presence = presence;
    }

    /** Result of a send; {@code duplicate} when the clientMessageID was seen before (the participants are told to sync from just before it). */
    public record SendResult(MessageView message, boolean duplicate) {}

    public SendResult send(long sender, long receiver, String text, String clientMessageId) {
        // Backpressure: past this many sends in flight on this node, answer 503 at once rather than
        // queue without bound (latency would grow to the pool timeout and end in 500s).
        boolean admitted;
        try {
            admitted = inFlight.tryAcquire(100, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            admitted = false;
        }
        if (!admitted) throw ApiException.unavailable("Too many messages in flight, try again shortly", Duration.ofSeconds(1));
        try {
            return admittedSend(sender, receiver, text, clientMessageId);
        } finally {
            inFlight.release();
        }
    }

    private SendResult admittedSend(long sender, long receiver, String text, String clientMessageId) {
        String body = Validate.messageText(text, "message");
        UUID cmid = parseClientId(clientMessageId);
        if (receiver <= 0) throw ApiException.badRequest("Receiver user not found");
        sendLimit().check(sender);
        for (int attempt = 0; ; attempt++) {
            MessageRepository.Sent sent;
            try {
                sent = batcher.send(new SendBatcher.Command(sender, receiver, body, cmid)).orElse(null);
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
                if (original.isPresent()) {
                    // A repeat: the first attempt may have been stored without its event ever leaving
                    // (node killed right after the commit, a failed ack). The participants are told to
                    // sync from just before it (see MessageRepeated), never sent a second copy.
                    events.publishEvent(new MessageRepeated(original.get()));
                    return new SendResult(original.get(), true);
                }
            }
            if (!users.existsActive(receiver)) throw ApiException.badRequest("Receiver user not found");
            // another transaction created the dialog at the same moment: the retry sees it
            if (attempt >= 3) throw new IllegalStateException("Could not store message after retries");
        }
    }

    public List<MessageView> history(long me, long peer, int take, int skip, Long before) {
        if (before == null && skip == 0) {
            // skip=0 is "the dialog is open": everything from the peer is read, and the peer learns it —
            // only when something of theirs was actually unread, so reopening a dialog (or a stranger
            // asking for an empty one) pushes nothing to anyone
            boolean marked = repo.markDialogRead(me, peer);
            var page = repo.history(me, peer, take, skip, null);
            if (marked) events.publishEvent(new DialogRead(me, peer));
            return page;
        }
        return repo.history(me, peer, take, skip, before);
    }

    public void edit(long me, long messageId, String text) {
        String body = Validate.messageText(text, "message");
        // every edit pushes up to 4 KB to every device of both sides: bounded per user
        rateLimiter.hit("message-edit-user", Long.toString(me));
        MessageView updated = repo.edit(me, messageId, body).orElseThrow(() -> notYours(messageId));
        events.publishEvent(new MessageUpdated(updated));
    }

    public void delete(long me, long messageId) {
        var ref = repo.delete(me, messageId).orElseThrow(() -> notYours(messageId));
        boolean removed;
        try {
            removed = repo.deleteIfEmpty(ref.conversationId());
        } catch (DataAccessException e) {
            // a new message arrived meanwhile (constraint), or a send locked the rows first
            // (deadlock): either way the dialog stays, and the deletion itself is done
            removed = false;
        }
        long receiver = ref.receiverId() == null ? ref.senderId() : ref.receiverId();
        if (removed) {
            batcher.forgetDialog(ref.senderId(), receiver);
            sharedDialogs.forget(ref.senderId(), receiver);
        }
        events.publishEvent(new MessageDeleted(messageId, ref.senderId(), receiver, removed));
    }

    public void markRead(long me, long messageId) {
        var mark = repo.markRead(me, messageId).orElseThrow(() -> ApiException.badRequest("Message not found"));
        var ref = mark.ref();
        long receiver = ref.receiverId() == null ? ref.senderId() : ref.receiverId();
        if (receiver != me) throw ApiException.unauthorized("Only the receiver can mark a message read");
        // a receipt for something already read (this message or a later one) changes nothing: tell no one
        if (mark.moved()) events.publishEvent(new MessageRead(me, ref.senderId(), messageId));
    }

    /** Whether the two users share a dialog (remembered for a while: asked for every typing signal). */
    public boolean shareDialog(long a, long b) {
        return sharedDialogs.share(a, b);
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

    /** The highest message id stored so far (0 when none): where delivery stood at this moment. */
    public long latestMessageId() {
        return repo.latestId();
    }

    public List<MessageView> since(long me, long after, int limit) {
        return repo.since(me, after, limit);
    }

    /** Everyone who shares a dialog with the user: they see the user's presence and profile changes. */
    public List<Long> contactsOf(long userId) {
        return repo.contactsOf(userId);
    }

    private Set<Long> onlineAmong(Collection<Long> ids) {
        return presence().onlineAmong(ids);
    }

    // Implementations live in realtime, which itself depends on this service: resolved on first use
    // (not per call: a bean-factory lookup on every send is measurable).
    private volatile SendRateLimit sendLimitBean;
    private volatile ContactPresence presenceBean;

    private SendRateLimit sendLimit() {
        SendRateLimit l = sendLimitBean;
        if (l == null) sendLimitBean = l = sendRateLimit.getIfUnique(() -> id -> rateLimiter.hit("message-send-user", Long.toString(id)));
        return l;
    }

    private ContactPresence presence() {
        ContactPresence p = presenceBean;
        if (p == null) presenceBean = p = presence.getIfUnique(() -> ids -> Set.of());
        return p;
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
