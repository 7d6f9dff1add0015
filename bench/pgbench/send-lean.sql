-- A leaner send (suggestion, not what the server runs): dialog looked up by its pair (the app could
-- cache pair -> conversation id and the users' names), one INSERT, no sender read-mark UPDATE, no
-- separate dedupe probe (ON CONFLICT on the unique (sender_id, client_message_id) index does it).
\set p random(1, 50)
\set s 2 * :p - 1
\set r 2 * :p
-- (with the send-order lock and the next position, which the schema requires since V3)
BEGIN;
SELECT pg_advisory_xact_lock(88379461756281);
INSERT INTO messages (conversation_id, sender_id, receiver_id, body, client_message_id, pos)
SELECT c.id, :s, :r, 'bench|00000000-0000-0000-0000-000000000000|xxxxxxxxxxxxxxxx', gen_random_uuid(),
       coalesce((SELECT max(p.pos) FROM messages p WHERE p.conversation_id = c.id), 0) + 1
FROM conversations c WHERE c.kind = 1 AND c.direct_low = :s AND c.direct_high = :r
ON CONFLICT (sender_id, client_message_id) WHERE client_message_id IS NOT NULL DO NOTHING
RETURNING id, created_at;
COMMIT;
