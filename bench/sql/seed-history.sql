-- Seeds :n messages into the existing direct dialog of users :a and :b (created by one API send
-- first), alternating senders, as the server's own tables hold them (V2__messaging.sql).
-- Usage: psql -v a=ID -v b=ID -v n=1000000 -f seed-history.sql
\set ON_ERROR_STOP 1
SET synchronous_commit = off;
INSERT INTO messages (conversation_id, sender_id, receiver_id, body, created_at)
SELECT c.id,
       CASE WHEN g % 2 = 0 THEN :a ELSE :b END,
       CASE WHEN g % 2 = 0 THEN :b ELSE :a END,
       'history message ' || g || ' lorem ipsum dolor sit amet',
       now() - make_interval(secs => (:n - g) / 10.0)
FROM conversations c, generate_series(1, :n) g
WHERE c.kind = 1 AND c.direct_low = least(:a, :b) AND c.direct_high = greatest(:a, :b);
-- both members have read everything (so the newest page does not flip 1M rows to read)
UPDATE conversation_members m SET last_read_message_id = (SELECT max(id) FROM messages x WHERE x.conversation_id = m.conversation_id)
WHERE m.conversation_id = (SELECT id FROM conversations WHERE kind = 1 AND direct_low = least(:a, :b) AND direct_high = greatest(:a, :b));
