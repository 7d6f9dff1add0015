-- Conversations and their members. 1:1 dialogs today: a direct conversation is identified by its
-- ordered user pair (direct_low <= direct_high; a note to oneself has low = high). Groups later
-- are rows with kind = 2 and NULL pair, with any number of members: no schema rewrite needed.
CREATE TABLE conversations (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind        smallint    NOT NULL DEFAULT 1,          -- 1 = direct (1:1 or note)
    direct_low  bigint REFERENCES users (id),
    direct_high bigint REFERENCES users (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (kind <> 1 OR (direct_low IS NOT NULL AND direct_high IS NOT NULL AND direct_low <= direct_high))
);
-- find-or-create of a dialog, and its lookup by the other user's id
CREATE UNIQUE INDEX conversations_direct_pair ON conversations (direct_low, direct_high) WHERE kind = 1;

-- Per-member read state is a watermark: every message with id <= last_read_message_id is read.
CREATE TABLE conversation_members (
    conversation_id      bigint NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    user_id              bigint NOT NULL REFERENCES users (id),
    last_read_message_id bigint NOT NULL DEFAULT 0,
    joined_at            timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (conversation_id, user_id)
);
-- dialog list, contacts, sync: a user's conversations
CREATE INDEX conversation_members_user ON conversation_members (user_id, conversation_id);

-- Messages: one global id sequence, used for ordering, keyset paging and sync.
-- receiver_id is the other party of a direct conversation (NULL for future group messages).
-- No ON DELETE CASCADE from conversations: removing a dialog that just received a message fails
-- instead of silently dropping that message.
CREATE TABLE messages (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    conversation_id   bigint      NOT NULL REFERENCES conversations (id),
    sender_id         bigint      NOT NULL,   -- users.id; no FK: users are never hard-deleted and membership already holds it
    receiver_id       bigint,
    body              text        NOT NULL,
    client_message_id uuid,
    created_at        timestamptz NOT NULL DEFAULT now(),
    edited_at         timestamptz
);
-- history pages (offset and keyset), last message of a dialog, unread counts
CREATE INDEX messages_conversation_id ON messages (conversation_id, id);
-- idempotent send: a client message id is unique per sender
CREATE UNIQUE INDEX messages_sender_client_id ON messages (sender_id, client_message_id)
    WHERE client_message_id IS NOT NULL;
