-- Variant of send.sql WITHOUT advancing the sender's read mark (no row lock on the sender's member row).
\set p random(1, 50)
\set s 2 * :p - 1
\set r 2 * :p
-- the send-order lock, as every server send transaction takes it (positions need it: V3__history_positions.sql)
BEGIN;
SELECT pg_advisory_xact_lock(88379461756281);
WITH k AS (
    SELECT gen_random_uuid() AS cmid
), rcv AS (
    SELECT id, name FROM users WHERE id = :r AND NOT deleted
), snd AS (
    SELECT id, name FROM users WHERE id = :s
), dup AS (
    SELECT 1 FROM messages, k
    WHERE sender_id = :s AND client_message_id = k.cmid
), existing AS (
    SELECT id FROM conversations WHERE kind = 1 AND direct_low = :s AND direct_high = :r
), created AS (
    INSERT INTO conversations (kind, direct_low, direct_high)
    SELECT 1, :s, :r FROM rcv
    WHERE NOT EXISTS (SELECT 1 FROM existing) AND NOT EXISTS (SELECT 1 FROM dup)
    ON CONFLICT DO NOTHING
    RETURNING id
), conv AS (
    SELECT id, false AS created FROM existing
    UNION ALL
    SELECT id, true FROM created
), mid AS (
    SELECT nextval('messages_id_seq') AS id, coalesce(greatest((SELECT max(p.pos) FROM messages p WHERE p.conversation_id = conv.id),
                              (SELECT h.highest FROM history_holes h WHERE h.conversation_id = conv.id AND h.node = 1099511627776)), 0) + 1 AS pos
    FROM conv, rcv WHERE NOT EXISTS (SELECT 1 FROM dup)
), msg AS (
    INSERT INTO messages (id, conversation_id, sender_id, receiver_id, body, client_message_id, pos)
    OVERRIDING SYSTEM VALUE
    SELECT mid.id, conv.id, :s, :r, 'bench|00000000-0000-0000-0000-000000000000|xxxxxxxxxxxxxxxx', k.cmid, mid.pos FROM mid, conv, k
    RETURNING id, conversation_id, created_at
), members AS (
    INSERT INTO conversation_members (conversation_id, user_id, last_read_message_id)
    SELECT conv.id, u.id, CASE WHEN u.id = :s THEN mid.id ELSE 0 END
    FROM conv, mid, (SELECT DISTINCT unnest(ARRAY[CAST(:s AS bigint), CAST(:r AS bigint)]) AS id) u
    WHERE conv.created
), nomark AS (
    SELECT 1
)
SELECT msg.id, msg.created_at, conv.created, snd.name AS sender_name, rcv.name AS receiver_name
FROM msg, conv, snd, rcv;
COMMIT;
