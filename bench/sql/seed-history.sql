-- Seeds :n messages into the existing direct dialog of users :a and :b (created by one API send
-- first), alternating senders, as the server's own tables hold them (V2__messaging.sql, V3__history_positions.sql).
-- Usage: psql -v a=ID -v b=ID -v n=1000000 -f seed-history.sql
\set ON_ERROR_STOP 1
SET synchronous_commit = off;
-- Positions (V3__history_positions.sql) continue after the highest one the dialog has used, in
-- id order: rows come out of generate_series in g order and take their ids in that order (checked
-- below, since a wrong order would make offset pages wrong).
WITH last AS MATERIALIZED ( -- read once, before any row goes in
    SELECT c.id, coalesce(greatest((SELECT max(p.pos) FROM messages p WHERE p.conversation_id = c.id),
                                   (SELECT h.highest FROM history_holes h WHERE h.conversation_id = c.id AND h.node = 1099511627776)), 0) AS pos
    FROM conversations c WHERE c.kind = 1 AND c.direct_low = least(:a, :b) AND c.direct_high = greatest(:a, :b)
)
INSERT INTO messages (conversation_id, sender_id, receiver_id, body, created_at, pos)
SELECT c.id,
       CASE WHEN g % 2 = 0 THEN :a ELSE :b END,
       CASE WHEN g % 2 = 0 THEN :b ELSE :a END,
       'history message ' || g || ' lorem ipsum dolor sit amet',
       now() - make_interval(secs => (:n - g) / 10.0),
       c.pos + g
FROM last c, generate_series(1, :n) g;
DO $$ BEGIN
  IF EXISTS (SELECT 1 FROM (SELECT pos, lag(pos) OVER (PARTITION BY conversation_id ORDER BY id) AS prev FROM messages) s
             WHERE s.pos <= s.prev) THEN
    RAISE EXCEPTION 'seeded positions are not in id order';
  END IF;
END $$;
-- both members have read everything (so the newest page does not flip 1M rows to read)
UPDATE conversation_members m SET last_read_message_id = (SELECT max(id) FROM messages x WHERE x.conversation_id = m.conversation_id)
WHERE m.conversation_id = (SELECT id FROM conversations WHERE kind = 1 AND direct_low = least(:a, :b) AND direct_high = greatest(:a, :b));
