-- Offset history pages (GET /api/message/:id?take&skip) at keyset cost. Plan and measurements:
-- db/migration/EXPLAIN.md, "Offset pages by position".
--
-- Every message gets a dense per-conversation position (1, 2, 3, ... in id order), assigned at
-- insert under the send-order lock (MessageRepository.lockSendOrder), so position order is id
-- order. A deleted message leaves its position behind as a hole, counted in a Fenwick tree per
-- conversation (history_holes). An offset page then finds the position of its newest message with
-- at most ~40 primary-key probes (none while a dialog has no holes) and reads the page like a
-- keyset page, instead of walking `skip` index entries.

ALTER TABLE messages ADD COLUMN pos bigint;

-- Backfill: today's rows are numbered densely; no holes yet (earlier deletions left no trace, and
-- need none: only the order of the remaining rows matters).
UPDATE messages m SET pos = s.n
FROM (SELECT id, row_number() OVER (PARTITION BY conversation_id ORDER BY id) AS n FROM messages) s
WHERE m.id = s.id;

ALTER TABLE messages ALTER COLUMN pos SET NOT NULL;
-- 2^40 is the root of the Fenwick tree below: a position must lie under it.
ALTER TABLE messages ADD CONSTRAINT messages_pos_range CHECK (pos BETWEEN 1 AND 1099511627776);
-- An offset page reads backwards from a position; unique, so a position handed out twice fails
-- the insert instead of silently shifting every older page.
CREATE UNIQUE INDEX messages_conversation_pos ON messages (conversation_id, pos);

-- Deleted positions per conversation as a sparse Fenwick (binary indexed) tree over 1..2^40:
-- the row for `node` covers the positions (node - lowbit(node), node] and holds how many of them
-- were deleted and the highest deleted one. Deleting the message at position p adds 1 to the
-- nodes p, p + lowbit(p), ... up to the root 2^40 (at most 41 upserts, each a commutative
-- increment, so concurrent deletes need no lock). The root row holds the dialog's totals.
-- Rows go with their dialog.
CREATE TABLE history_holes (
    conversation_id bigint NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    node            bigint NOT NULL,
    holes           bigint NOT NULL,
    highest         bigint NOT NULL,
    PRIMARY KEY (conversation_id, node)
);

-- The position of the newest message of the offset page `skip` (0 = the newest page) in a dialog,
-- or NULL when the page is past the end: exactly the row `ORDER BY id DESC OFFSET skip` starts at.
-- The live messages number `last - holes`; the page's newest one is the live message of rank
-- r = last - holes - skip (1 = oldest). Without holes that is position r. Otherwise descend the
-- Fenwick tree from the root: the node base + step covers `step` positions of which
-- `step - holes` are live; step over it while fewer than r remain. One primary-key probe per level
-- below the highest bit of `last` (~20 in a 1M dialog).
-- A function rather than one big statement: PL/pgSQL keeps the plans of these probes, while the
-- equivalent recursive CTE cost more to plan (per call) than to run. STABLE, so it reads the
-- snapshot of the calling statement: a page never mixes states of concurrent sends or deletes.
CREATE FUNCTION history_page_top(conv bigint, skip bigint) RETURNS bigint
LANGUAGE plpgsql STABLE STRICT AS $$
DECLARE
    root      CONSTANT bigint := 1099511627776;
    n_holes   bigint;
    last_pos  bigint;
    rest      bigint;
    base      bigint := 0;
    step      bigint := root / 2;
    live      bigint;
BEGIN
    SELECT h.holes, h.highest INTO n_holes, last_pos
    FROM history_holes h WHERE h.conversation_id = conv AND h.node = root;
    last_pos := greatest(last_pos, (SELECT max(m.pos) FROM messages m WHERE m.conversation_id = conv));
    IF last_pos IS NULL THEN
        RETURN NULL;                              -- no dialog, or nothing ever sent in it
    END IF;
    rest := last_pos - coalesce(n_holes, 0) - skip;
    IF rest < 1 THEN
        RETURN NULL;                              -- skip reaches past the oldest message
    ELSIF n_holes IS NULL THEN
        RETURN rest;                              -- nothing deleted: positions are ranks
    END IF;
    -- invariant: positions 1..base hold (rank - rest) live messages; the target is above base
    WHILE step >= 1 LOOP
        IF base + step <= last_pos THEN
            live := step - coalesce((SELECT h.holes FROM history_holes h
                                     WHERE h.conversation_id = conv AND h.node = base + step), 0);
            IF live < rest THEN
                base := base + step;
                rest := rest - live;
            END IF;
        END IF;
        step := step / 2;
    END LOOP;
    RETURN base + 1;
END $$;
