package dev.parley.messaging;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * SQL of the messaging module. A direct dialog is found by its ordered user pair; read state is
 * the per-member watermark {@code last_read_message_id}. Plans: {@code db/migration/EXPLAIN.md}.
 */
@Repository
class MessageRepository {
    private final JdbcClient jdbc;

    MessageRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    record Sent(MessageView message, boolean dialogCreated, String senderName, String receiverName, long conversationId) {}

    /** A message whose dialog is known to exist: the batch fast path needs no find-or-create. */
    record KnownDialogSend(long conversationId, long sender, long receiver, String body, UUID clientMessageId) {}

    /**
     * Inserts many messages into dialogs known to exist, with ids taken in list order: two round
     * trips for the whole list. An element is empty when nothing was stored for it (receiver
     * deleted, or a duplicate clientMessageID); the caller tells these apart as for {@link #send}.
     * A dialog that no longer exists fails the statement (foreign key), rolling the batch back.
     */
    List<Optional<Sent>> sendToKnownDialogs(List<KnownDialogSend> sends) {
        int n = sends.size();
        List<Long> ids = jdbc.sql("SELECT nextval('messages_id_seq') FROM generate_series(1, :n) ORDER BY 1")
                .param("n", n).query(Long.class).list();
        Long[] idArr = ids.toArray(Long[]::new);
        Long[] convs = new Long[n], senders = new Long[n], receivers = new Long[n];
        String[] bodies = new String[n], cmids = new String[n];
        for (int i = 0; i < n; i++) {
            var s = sends.get(i);
            convs[i] = s.conversationId(); senders[i] = s.sender(); receivers[i] = s.receiver();
            bodies[i] = s.body(); cmids[i] = s.clientMessageId() == null ? null : s.clientMessageId().toString();
        }
        var stored = new java.util.HashMap<Long, String>();
        jdbc.sql("""
                WITH input AS (
                    SELECT * FROM unnest(CAST(:ids AS bigint[]), CAST(:convs AS bigint[]), CAST(:senders AS bigint[]),
                                         CAST(:receivers AS bigint[]), CAST(:bodies AS text[]), CAST(:cmids AS uuid[]))
                             AS t(id, conv, sender, receiver, body, cmid)
                ), active AS (
                    SELECT i.*, row_number() OVER (PARTITION BY i.sender, i.cmid ORDER BY i.id) AS cmid_rank
                    FROM input i JOIN users u ON u.id = i.receiver AND NOT u.deleted
                ), kept AS (
                    -- exactly the rows that will be stored, so that positions stay dense: the receiver is
                    -- active and the clientMessageID is new (not stored, not earlier in this batch);
                    -- exact because every insert holds the send-order lock
                    SELECT a.*, row_number() OVER (PARTITION BY a.conv ORDER BY a.id) AS nth FROM active a
                    WHERE a.cmid IS NULL OR (a.cmid_rank = 1 AND NOT EXISTS (
                        SELECT 1 FROM messages m WHERE m.sender_id = a.sender AND m.client_message_id = a.cmid))
                ), base AS MATERIALIZED ( -- once per dialog, not once per message
                    SELECT d.conv, """ + LAST_POS.formatted("d.conv") + """
                     AS last_pos FROM (SELECT DISTINCT conv FROM kept) d
                ), ins AS (
                    -- no ON CONFLICT: a skipped row would leave a position neither used nor a hole
                    INSERT INTO messages (id, conversation_id, sender_id, receiver_id, body, client_message_id, pos)
                    OVERRIDING SYSTEM VALUE
                    SELECT k.id, k.conv, k.sender, k.receiver, k.body, k.cmid, b.last_pos + k.nth
                    FROM kept k JOIN base b ON b.conv = k.conv
                    RETURNING id, conversation_id, sender_id, receiver_id, created_at
                ), notes AS (
                    UPDATE conversation_members m SET last_read_message_id = ins.id
                    FROM ins WHERE ins.sender_id = ins.receiver_id AND m.conversation_id = ins.conversation_id
                      AND m.user_id = ins.sender_id AND m.last_read_message_id < ins.id
                )
                SELECT id, created_at FROM ins""")
                .param("ids", idArr).param("convs", convs).param("senders", senders).param("receivers", receivers)
                .param("bodies", bodies).param("cmids", cmids)
                .query((rs, i) -> stored.put(rs.getLong("id"), ts(rs, "created_at"))).list();
        List<Optional<Sent>> out = new java.util.ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            var s = sends.get(i);
            String at = stored.get(idArr[i]);
            out.add(at == null ? Optional.empty() : Optional.of(new Sent(
                    new MessageView(idArr[i], s.sender(), s.receiver(), s.body(), at, at, false, s.sender() == s.receiver()),
                    false, null, null, s.conversationId())));
        }
        return out;
    }

    /** Root of every dialog's Fenwick tree of deleted positions (V3__history_positions.sql): 2^40. */
    private static final long HOLES_ROOT = 1L << 40;

    /**
     * The highest position ever given out in dialog {@code %1$s}: its newest message's, or a deleted
     * newer one's (the root row of its holes knows the highest deleted position); 0 in a new dialog.
     * A send takes the next one, so positions are never reused.
     */
    private static final String LAST_POS = """
            coalesce(greatest((SELECT max(p.pos) FROM messages p WHERE p.conversation_id = %1$s),
                              (SELECT h.highest FROM history_holes h WHERE h.conversation_id = %1$s AND h.node = 1099511627776)), 0)""";

    /** Arbitrary, fixed key of the transaction-scoped advisory lock that orders sends. */
    private static final long SEND_ORDER_LOCK = 0x5061_726c_6579L; // "Parley"

    /**
     * Takes the send-order lock for the current transaction (every node, every writer). Message ids
     * come from a sequence, so without it a transaction holding a lower id could commit after one
     * holding a higher id, and a client syncing with {@code after=<highest id seen>} would skip the
     * late one for good. Held from before the first nextval to after the commit is visible.
     * It also makes a dialog's positions ({@code pos}: 1, 2, 3, ... in id order) exact: a send reads
     * the highest position with no other send in between.
     */
    void lockSendOrder() {
        jdbc.sql("SELECT pg_advisory_xact_lock(:key)").param("key", SEND_ORDER_LOCK).query((rs, i) -> 1).list();
    }

    /**
     * One statement, one round trip: find-or-create the dialog (and its members), insert the
     * message; a note to oneself is read at once. A reply does NOT mark the peer's messages read:
     * {@code isReaded} means the receiver read it, and only opening the dialog ({@code skip=0}) or
     * a read receipt says so — with the events that tell the other side. Returns empty when nothing was
     * stored: receiver missing/deleted, a duplicate {@code clientMessageID}, or a lost race on
     * creating the dialog (the caller tells these apart and retries the last).
     */
    Optional<Sent> send(long sender, long receiver, String body, UUID clientMessageId) {
        long low = Math.min(sender, receiver), high = Math.max(sender, receiver);
        return jdbc.sql("""
                WITH rcv AS (
                    SELECT id, name FROM users WHERE id = :receiver AND NOT deleted
                ), snd AS (
                    SELECT id, name FROM users WHERE id = :sender
                ), dup AS (
                    SELECT 1 FROM messages
                    WHERE sender_id = :sender AND client_message_id = CAST(:cmid AS uuid)
                ), existing AS (
                    SELECT id FROM conversations WHERE kind = 1 AND direct_low = :low AND direct_high = :high
                ), created AS (
                    INSERT INTO conversations (kind, direct_low, direct_high)
                    SELECT 1, :low, :high FROM rcv
                    WHERE NOT EXISTS (SELECT 1 FROM existing) AND NOT EXISTS (SELECT 1 FROM dup)
                    ON CONFLICT DO NOTHING
                    RETURNING id
                ), conv AS (
                    SELECT id, false AS created FROM existing
                    UNION ALL
                    SELECT id, true FROM created
                ), mid AS (
                    SELECT nextval('messages_id_seq') AS id, """ + LAST_POS.formatted("conv.id") + """
                     + 1 AS pos FROM conv, rcv WHERE NOT EXISTS (SELECT 1 FROM dup)
                ), msg AS (
                    -- no ON CONFLICT: dup above is exact under the send-order lock, and a skipped row
                    -- would leave a position neither used nor a hole
                    INSERT INTO messages (id, conversation_id, sender_id, receiver_id, body, client_message_id, pos)
                    OVERRIDING SYSTEM VALUE
                    SELECT mid.id, conv.id, :sender, :receiver, :body, CAST(:cmid AS uuid), mid.pos FROM mid, conv
                    RETURNING id, conversation_id, created_at
                ), members AS (
                    INSERT INTO conversation_members (conversation_id, user_id, last_read_message_id)
                    SELECT conv.id, u.id, CASE WHEN u.id = :sender THEN mid.id ELSE 0 END
                    FROM conv, mid, (SELECT DISTINCT unnest(ARRAY[CAST(:sender AS bigint), CAST(:receiver AS bigint)]) AS id) u
                    WHERE conv.created
                ), mark AS (
                    UPDATE conversation_members m SET last_read_message_id = msg.id
                    FROM msg, conv
                    WHERE NOT conv.created AND m.conversation_id = msg.conversation_id AND m.user_id = :sender
                      AND CAST(:sender AS bigint) = CAST(:receiver AS bigint) -- only a note is read by sending it
                      AND m.last_read_message_id < msg.id
                )
                SELECT msg.id, msg.created_at, msg.conversation_id, conv.created, snd.name AS sender_name, rcv.name AS receiver_name
                FROM msg, conv, snd, rcv""")
                .param("sender", sender).param("receiver", receiver).param("low", low).param("high", high)
                .param("body", body).param("cmid", clientMessageId == null ? null : clientMessageId.toString())
                .query((rs, i) -> {
                    String at = ts(rs, "created_at");
                    var m = new MessageView(rs.getLong("id"), sender, receiver, body, at, at, false, sender == receiver);
                    return new Sent(m, rs.getBoolean("created"), rs.getString("sender_name"), rs.getString("receiver_name"),
                            rs.getLong("conversation_id"));
                })
                .optional();
    }

    private static final String MESSAGE_COLUMNS = """
            x.id, x.sender_id, x.receiver_id, x.body, x.created_at, x.edited_at,
            x.id <= COALESCE((SELECT r.last_read_message_id FROM conversation_members r
                              WHERE r.conversation_id = x.conversation_id AND r.user_id = x.receiver_id), 0) AS readed""";

    Optional<MessageView> findByClientId(long sender, UUID clientMessageId) {
        return jdbc.sql("SELECT " + MESSAGE_COLUMNS + " FROM messages x WHERE x.sender_id = :sender AND x.client_message_id = CAST(:cmid AS uuid)")
                .param("sender", sender).param("cmid", clientMessageId.toString())
                .query(MessageRepository::message).optional();
    }

    /** Newest first: an offset page ({@code before} null) or a keyset page older than {@code before}. */
    List<MessageView> history(long me, long peer, int take, int skip, Long before) {
        long low = Math.min(me, peer), high = Math.max(me, peer);
        if (before == null && skip > 0) return offsetPage(low, high, take, skip);
        String sql = "SELECT " + MESSAGE_COLUMNS + """
                 FROM conversations c JOIN messages x ON x.conversation_id = c.id
                WHERE c.kind = 1 AND c.direct_low = :low AND c.direct_high = :high""" +
                (before != null ? " AND x.id < :before" : "") + " ORDER BY x.id DESC LIMIT :take";
        var spec = jdbc.sql(sql).param("low", low).param("high", high).param("take", take);
        if (before != null) spec = spec.param("before", before);
        return spec.query(MessageRepository::message).list();
    }

    /**
     * Exactly {@code ORDER BY id DESC LIMIT take OFFSET skip}, at the cost of a keyset page: positions
     * are dense and in id order, and {@code history_page_top} (V3__history_positions.sql) finds the
     * position of the page's newest message from the dialog's count of deleted positions, with
     * about 20 primary-key probes when there were deletions and none otherwise. One statement, one
     * snapshot (the function is STABLE): a page never mixes states of concurrent sends or deletes.
     */
    private List<MessageView> offsetPage(long low, long high, int take, int skip) {
        return jdbc.sql("SELECT " + MESSAGE_COLUMNS + """
                 FROM conversations c CROSS JOIN LATERAL (
                    SELECT m.* FROM messages m
                    WHERE m.conversation_id = c.id AND m.pos <= history_page_top(c.id, :skip)
                    ORDER BY m.pos DESC LIMIT :take) x
                WHERE c.kind = 1 AND c.direct_low = :low AND c.direct_high = :high
                ORDER BY x.pos DESC""")
                .param("low", low).param("high", high).param("take", take).param("skip", (long) skip)
                .query(MessageRepository::message).list();
    }

    /**
     * Moves {@code me}'s watermark to the dialog's newest message; true only when a message from the
     * peer was unread (moving past one's own newer messages marks nothing read for anyone).
     */
    boolean markDialogRead(long me, long peer) {
        long low = Math.min(me, peer), high = Math.max(me, peer);
        return jdbc.sql("""
                WITH t AS (
                    SELECT c.id, m.last_read_message_id AS old,
                           (SELECT max(x.id) FROM messages x WHERE x.conversation_id = c.id) AS max_id,
                           (SELECT max(x.id) FROM messages x WHERE x.conversation_id = c.id AND x.sender_id <> :me) AS peer_max
                    FROM conversations c JOIN conversation_members m ON m.conversation_id = c.id AND m.user_id = :me
                    WHERE c.kind = 1 AND c.direct_low = :low AND c.direct_high = :high
                ), upd AS (
                    UPDATE conversation_members m SET last_read_message_id = t.max_id FROM t
                    WHERE m.conversation_id = t.id AND m.user_id = :me AND m.last_read_message_id < t.max_id
                    RETURNING 1
                )
                SELECT EXISTS (SELECT 1 FROM upd) AND COALESCE((SELECT t.peer_max > t.old FROM t), false)""")
                .param("me", me).param("low", low).param("high", high).query(Boolean.class).single();
    }

    boolean dialogExists(long low, long high) {
        return jdbc.sql("SELECT EXISTS (SELECT 1 FROM conversations WHERE kind = 1 AND direct_low = :low AND direct_high = :high)")
                .param("low", low).param("high", high).query(Boolean.class).single();
    }

    record Ref(long conversationId, long senderId, Long receiverId) {}

    Optional<Ref> ref(long messageId) {
        return jdbc.sql("SELECT conversation_id, sender_id, receiver_id FROM messages WHERE id = :id")
                .param("id", messageId)
                .query((rs, i) -> new Ref(rs.getLong(1), rs.getLong(2), (Long) rs.getObject(3))).optional();
    }

    /** A read receipt's outcome: the message's ref, and whether the reader's watermark moved. */
    record ReadMark(Ref ref, boolean moved) {}

    /** Marks the message and everything before it read for its receiver {@code me}; empty if the message does not exist. */
    Optional<ReadMark> markRead(long me, long messageId) {
        return jdbc.sql("""
                WITH x AS (SELECT id, conversation_id, sender_id, receiver_id FROM messages WHERE id = :id),
                upd AS (
                    UPDATE conversation_members m SET last_read_message_id = x.id FROM x
                    WHERE m.conversation_id = x.conversation_id AND m.user_id = :me AND x.receiver_id = :me
                      AND m.last_read_message_id < x.id
                    RETURNING 1
                )
                SELECT conversation_id, sender_id, receiver_id, EXISTS (SELECT 1 FROM upd) AS moved FROM x""")
                .param("id", messageId).param("me", me)
                .query((rs, i) -> new ReadMark(new Ref(rs.getLong(1), rs.getLong(2), (Long) rs.getObject(3)), rs.getBoolean(4)))
                .optional();
    }

    /** Edits {@code me}'s own message; empty if it does not exist or is someone else's. */
    Optional<MessageView> edit(long me, long messageId, String body) {
        return jdbc.sql("""
                WITH u AS (
                    UPDATE messages SET body = :body, edited_at = now()
                    WHERE id = :id AND sender_id = :me
                    RETURNING *
                )
                SELECT """ + " " + MESSAGE_COLUMNS + " FROM u AS x")
                .param("id", messageId).param("me", me).param("body", body)
                .query(MessageRepository::message).optional();
    }

    /**
     * Deletes {@code me}'s own message; its ref when deleted. Its position becomes a hole: +1 on the
     * Fenwick nodes {@code pos, pos + lowbit(pos), ...} up to the root (ascending, so concurrent
     * deletes lock shared nodes in the same order; increments commute, so they need no other lock).
     */
    Optional<Ref> delete(long me, long messageId) {
        return jdbc.sql("""
                WITH RECURSIVE del AS (
                    DELETE FROM messages WHERE id = :id AND sender_id = :me
                    RETURNING conversation_id, pos, sender_id, receiver_id
                ), path (node) AS (
                    SELECT pos FROM del
                    UNION ALL
                    SELECT node + (node & -node) FROM path WHERE node < :root
                ), holes AS (
                    INSERT INTO history_holes AS h (conversation_id, node, holes, highest)
                    SELECT del.conversation_id, path.node, 1, del.pos FROM del, path ORDER BY path.node
                    ON CONFLICT (conversation_id, node) DO UPDATE SET holes = h.holes + 1, highest = greatest(h.highest, excluded.highest)
                )
                SELECT conversation_id, sender_id, receiver_id FROM del""")
                .param("id", messageId).param("me", me).param("root", HOLES_ROOT)
                .query((rs, i) -> new Ref(rs.getLong(1), rs.getLong(2), (Long) rs.getObject(3))).optional();
    }

    /**
     * Removes a dialog that has no messages left. A message committed meanwhile keeps it alive:
     * messages reference conversations without cascade, so the delete then fails (caller ignores).
     */
    boolean deleteIfEmpty(long conversationId) {
        return jdbc.sql("""
                DELETE FROM conversations c WHERE c.id = :id
                AND NOT EXISTS (SELECT 1 FROM messages x WHERE x.conversation_id = :id)""")
                .param("id", conversationId).update() > 0;
    }

    long unreadFrom(long me, long peer) {
        long low = Math.min(me, peer), high = Math.max(me, peer);
        return jdbc.sql("""
                SELECT count(*) FROM conversations c
                JOIN conversation_members m ON m.conversation_id = c.id AND m.user_id = :me
                JOIN messages x ON x.conversation_id = c.id AND x.id > m.last_read_message_id
                WHERE c.kind = 1 AND c.direct_low = :low AND c.direct_high = :high AND x.sender_id = :peer""")
                .param("me", me).param("peer", peer).param("low", low).param("high", high)
                .query(Long.class).single();
    }

    record DialogRow(long peerId, String peerName, String lastMessage, String createdAt, long unread) {}

    /** The caller's dialogs, most recent activity first: one statement, no N+1. */
    List<DialogRow> dialogs(long me) {
        return jdbc.sql("""
                SELECT p.peer, u.name, lm.body, lm.created_at, n.unread
                FROM conversation_members m
                JOIN conversations c ON c.id = m.conversation_id AND c.kind = 1
                CROSS JOIN LATERAL (SELECT CASE WHEN c.direct_low = :me THEN c.direct_high ELSE c.direct_low END AS peer) p
                JOIN users u ON u.id = p.peer
                JOIN LATERAL (SELECT x.id, x.body, x.created_at FROM messages x
                              WHERE x.conversation_id = c.id ORDER BY x.id DESC LIMIT 1) lm ON true
                CROSS JOIN LATERAL (SELECT count(*) AS unread FROM messages x
                                    WHERE x.conversation_id = c.id AND x.id > m.last_read_message_id
                                      AND x.sender_id <> :me) n
                WHERE m.user_id = :me
                ORDER BY lm.id DESC""")
                .param("me", me)
                .query((rs, i) -> new DialogRow(rs.getLong(1), rs.getString(2), rs.getString(3), ts(rs, "created_at"), rs.getLong(5)))
                .list();
    }

    /** Every message in the caller's dialogs with id > after, ascending. */
    List<MessageView> since(long me, long after, int limit) {
        return jdbc.sql("SELECT " + MESSAGE_COLUMNS + """
                 FROM conversation_members m
                JOIN messages x ON x.conversation_id = m.conversation_id AND x.id > :after
                WHERE m.user_id = :me
                ORDER BY x.id LIMIT :limit""")
                .param("me", me).param("after", after).param("limit", limit)
                .query(MessageRepository::message).list();
    }

    long latestId() {
        return jdbc.sql("SELECT coalesce(max(id), 0) FROM messages").query(Long.class).single();
    }

    /** Everyone sharing a dialog with the user (not the user). */
    List<Long> contactsOf(long userId) {
        return jdbc.sql("""
                SELECT CASE WHEN c.direct_low = :u THEN c.direct_high ELSE c.direct_low END
                FROM conversation_members m JOIN conversations c ON c.id = m.conversation_id AND c.kind = 1
                WHERE m.user_id = :u AND c.direct_low <> c.direct_high""")
                .param("u", userId).query(Long.class).list();
    }

    private static MessageView message(ResultSet rs, int row) throws SQLException {
        String created = ts(rs, "created_at");
        String edited = ts(rs, "edited_at");
        long sender = rs.getLong("sender_id");
        long receiver = rs.getLong("receiver_id");
        if (rs.wasNull()) receiver = sender;
        return new MessageView(rs.getLong("id"), sender, receiver, rs.getString("body"), created,
                edited == null ? created : edited, edited != null, rs.getBoolean("readed"));
    }

    private static final DateTimeFormatter ISO = DateTimeFormatter.ISO_OFFSET_DATE_TIME;

    static String ts(ResultSet rs, String column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : format(t);
    }

    static String format(OffsetDateTime t) {
        return ISO.format(t.withOffsetSameInstant(ZoneOffset.UTC).truncatedTo(ChronoUnit.MILLIS));
    }
}
