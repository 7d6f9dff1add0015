package dev.parley.realtime;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import dev.parley.messaging.DialogView;
import dev.parley.messaging.MessagingEvents.DialogRead;
import dev.parley.messaging.MessagingEvents.MessageDeleted;
import dev.parley.messaging.MessagingEvents.MessageRead;
import dev.parley.messaging.MessagingEvents.MessageRepeated;
import dev.parley.messaging.MessagingEvents.MessageSent;
import dev.parley.messaging.MessagingEvents.MessageUpdated;
import dev.parley.messaging.MessagingService;
import dev.parley.session.SessionsRevokedEvent;
import dev.parley.user.UserProfileChangedEvent;

/**
 * Turns domain events (already committed) into socket events. Each payload is encoded once and
 * handed to the fan-out, which reaches the users' sockets on every node.
 */
@Component
class DomainEventRelay {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(DomainEventRelay.class);
    private final ClusterBus bus;
    private final SocketJson json;
    private final PresenceTracker presence;
    private final MessagingService messaging;

    DomainEventRelay(ClusterBus bus, SocketJson json, PresenceTracker presence, MessagingService messaging) {
        this.bus = bus;
        this.json = json;
        this.presence = presence;
        this.messaging = messaging;
    }

    private static Set<Long> both(long a, long b) {
        return a == b ? Set.of(a) : Set.of(a, b);
    }

    @EventListener
    void on(MessageSent e) {
        var m = e.message();
        if (e.dialogCreated()) {
            try {
                newDialog(e);
            } catch (RuntimeException ex) {
                log.warn("Could not announce new dialog of message {}", m.messageID(), ex);
            }
        }
        bus.deliver(both(m.senderID(), m.receiverID()), "user:new_message", json.encode(m));
    }

    private void newDialog(MessageSent e) {
        var m = e.message();
        {
            long s = m.senderID(), r = m.receiverID();
            if (s == r) {
                bus.deliver(List.of(s), "user:new_dialog", json.encode(new DialogView(s, e.senderName(), m.message(),
                        m.createdAt(), 0, DialogView.status(true))));
            } else {
                var online = presence.onlineAmong(List.of(s, r));
                bus.deliver(List.of(r), "user:new_dialog", json.encode(new DialogView(s, e.senderName(), m.message(),
                        m.createdAt(), 0, DialogView.status(online.contains(s))))); // the client counts user:new_message
                bus.deliver(List.of(s), "user:new_dialog", json.encode(new DialogView(r, e.receiverName(), m.message(),
                        m.createdAt(), 0, DialogView.status(online.contains(r)))));
            }
        }
    }

    /**
     * A repeated send: both participants' clients sync from just before the original and dedupe by
     * id, so a first announcement that was lost is made good; core clients ignore the event (a
     * second {@code user:new_message} would count as a second unread message there).
     */
    @EventListener
    void on(MessageRepeated e) {
        var m = e.message();
        bus.deliver(both(m.senderID(), m.receiverID()), DeliveryRecovery.EVENT, "{\"after\":" + (m.messageID() - 1) + "}");
    }

    @EventListener
    void on(MessageUpdated e) {
        var m = e.message();
        bus.deliver(both(m.senderID(), m.receiverID()), "user:message_updated", json.encode(m));
    }

    record Deleted(long messageID, long senderID, long receiverID) {}

    @EventListener
    void on(MessageDeleted e) {
        bus.deliver(both(e.senderID(), e.receiverID()), "user:message_deleted",
                json.encode(new Deleted(e.messageID(), e.senderID(), e.receiverID())));
    }

    @EventListener
    void on(DialogRead e) {
        bus.deliver(List.of(e.peerId()), "user:all_messages_read", Long.toString(e.readerId()));
    }

    record Read(long receiverID, long messageID) {}

    @EventListener
    void on(MessageRead e) {
        bus.deliver(List.of(e.senderId()), "user:message_read", json.encode(new Read(e.readerId(), e.messageId())));
    }

    @EventListener
    void on(SessionsRevokedEvent e) {
        bus.revoke(e.sessionIds());
    }

    record Profile(long userID, String name) {}

    @EventListener
    void on(UserProfileChangedEvent e) {
        Set<Long> to = new LinkedHashSet<>();
        to.add(e.userId());
        try {
            to.addAll(messaging.contactsOf(e.userId()));
        } catch (RuntimeException ex) {
            log.warn("Could not load contacts of user {}", e.userId(), ex);
        }
        bus.deliver(to, "user:profile_updated", json.encode(new Profile(e.userId(), e.name())));
    }
}
