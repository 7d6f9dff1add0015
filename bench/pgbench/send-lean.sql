-- A leaner send (suggestion, not what the server runs): dialog looked up by its pair (the app could
-- cache pair -> conversation id and the users' names), one INSERT, no sender read-mark UPDATE, no
-- separate dedupe probe (ON CONFLICT on the unique (sender_id, client_message_id) index does it).
\set p random(1, 50)
\set s 2 * :p - 1
\set r 2 * :p
INSERT INTO messages (conversation_id, sender_id, receiver_id, body, client_message_id)
SELECT c.id, :s, :r, 'bench|00000000-0000-0000-0000-000000000000|xxxxxxxxxxxxxxxx', gen_random_uuid()
FROM conversations c WHERE c.kind = 1 AND c.direct_low = :s AND c.direct_high = :r
ON CONFLICT (sender_id, client_message_id) WHERE client_message_id IS NOT NULL DO NOTHING
RETURNING id, created_at;
