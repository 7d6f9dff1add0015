package dev.parley.messaging;

import java.util.List;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.parley.platform.AuthUser;
import dev.parley.platform.ApiResponse;
import dev.parley.platform.Validate;

@RestController
@Tag(name = "Messages", description = "1:1 messages between the caller and another user")
public class MessageController {
    private final MessagingService messaging;

    public MessageController(MessagingService messaging) {
        this.messaging = messaging;
    }

    /** Fields are read as any JSON value so a wrong type is a 400 with a message, not a silent coercion. */
    public record SendBody(Object message, Object clientMessageID) {}

    public record EditBody(Object message) {}

    @PostMapping("/api/message/{id}")
    @Operation(summary = "Send a message to user :id (to yourself: a note, read at once)",
            description = "Stored in one transaction (creating the dialog on first message), then emitted: "
                    + "user:new_message to both users, user:new_dialog on the first message. Optional clientMessageID "
                    + "(UUID): a repeat returns the original message and announces it again (user:new_message with the same messageID; clients dedupe by id: the first attempt's event may have been lost). 400 \"Receiver user not found\".")
    public ApiResponse<MessageView> send(AuthUser user, @PathVariable("id") String id, @RequestBody SendBody body) {
        long receiver = Validate.id(id, "id");
        if (body == null) throw dev.parley.platform.ApiException.badRequest("message is required");
        return ApiResponse.ok(messaging.send(user.userId(), receiver, text(body.message(), "message"), text(body.clientMessageID(), "clientMessageID")).message());
    }

    static String text(Object value, String field) {
        if (value == null || value instanceof String) return (String) value;
        throw dev.parley.platform.ApiException.badRequest(field + " must be a string");
    }

    @GetMapping("/api/message/{id}")
    @Operation(summary = "History with user :id, newest first",
            description = "take 1-100 (default 20). Offset paging with skip, or keyset paging with before=<messageID> "
                    + "(messages older than it; skip is ignored). skip=0 without before marks everything from :id read "
                    + "and, when something from :id was unread, emits user:all_messages_read to :id.")
    public ApiResponse<List<MessageView>> history(AuthUser user, @PathVariable("id") String id,
                                                  @RequestParam(required = false) String take,
                                                  @RequestParam(required = false) String skip,
                                                  @RequestParam(required = false) String before) {
        long peer = Validate.id(id, "id");
        int t = Validate.intParam(take, "take", 1, MessagingService.TAKE_MAX, 20);
        int s = Validate.intParam(skip, "skip", 0, Integer.MAX_VALUE, 0);
        Long b = before == null || before.isEmpty() ? null : Validate.id(before, "before");
        return ApiResponse.ok(messaging.history(user.userId(), peer, t, s, b));
    }

    @PutMapping("/api/message")
    @Operation(summary = "Edit your own message (401 if it is not yours); emits user:message_updated to both users",
            description = "Rate-limited per user (rule message-edit-user, 429 with Retry-After).")
    public ApiResponse<Void> edit(AuthUser user, @RequestParam(name = "message-id", required = false) String messageId,
                                  @RequestBody EditBody body) {
        long mid = Validate.id(messageId, "message-id");
        messaging.edit(user.userId(), mid, body == null ? null : text(body.message(), "message"));
        return ApiResponse.ok();
    }

    @DeleteMapping("/api/message")
    @Operation(summary = "Delete your own message (401 if it is not yours); the last one removes the dialog",
            description = "Emits user:message_deleted {messageID, senderID, receiverID} to both users.")
    public ApiResponse<Void> delete(AuthUser user, @RequestParam(name = "message-id", required = false) String messageId) {
        messaging.delete(user.userId(), Validate.id(messageId, "message-id"));
        return ApiResponse.ok();
    }

    @GetMapping("/api/message/read")
    @Operation(summary = "Mark a message you received (and everything before it) read",
            description = "Receiver only (401 otherwise). Emits user:message_read {receiverID, messageID} to the sender "
                    + "when it moved the read mark (a message already read emits nothing).")
    public ApiResponse<Void> read(AuthUser user, @RequestParam(name = "message-id", required = false) String messageId) {
        messaging.markRead(user.userId(), Validate.id(messageId, "message-id"));
        return ApiResponse.ok();
    }

    @GetMapping("/api/message/{id}/not-readed")
    @Operation(summary = "Count of unread messages from user :id to the caller")
    public ApiResponse<Long> unread(AuthUser user, @PathVariable("id") String id) {
        return ApiResponse.ok(messaging.unreadFrom(user.userId(), Validate.id(id, "id")));
    }

    @GetMapping("/api/dialog")
    @Tag(name = "Dialogs")
    @Operation(summary = "The caller's dialogs, most recent activity first (one query)")
    public ApiResponse<List<DialogView>> dialogs(AuthUser user) {
        return ApiResponse.ok(messaging.dialogs(user.userId()));
    }

    @GetMapping("/api/sync")
    @Tag(name = "Messages")
    @Operation(summary = "Extension: messages missed since a message id",
            description = "Every message in any of the caller's dialogs with id > after, ascending, at most limit "
                    + "(1-500, default 100). Page by passing the last id as the next after. Deletions are not replayed. "
                    + "Call it after every socket (re)connect with the highest id shown, and when the socket receives "
                    + "the extension event sync:required {after} (the node may have lost events) with min(that id, after); "
                    + "merge by messageID.")
    public ApiResponse<List<MessageView>> sync(AuthUser user, @RequestParam(required = false) String after,
                                               @RequestParam(required = false) String limit) {
        long a = after == null || after.isEmpty() || after.equals("0") ? 0 : Validate.id(after, "after");
        int l = Validate.intParam(limit, "limit", 1, MessagingService.SYNC_MAX, 100);
        return ApiResponse.ok(messaging.since(user.userId(), a, l));
    }
}
