-- Accounts. Emails are unique case-insensitively; a deleted account keeps its row (its messages
-- stay visible to the other party) but loses its email, name and password.
CREATE TABLE users (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name            text        NOT NULL,
    email           text,
    password_hash   text        NOT NULL,
    bio             text        NOT NULL DEFAULT '',
    email_confirmed boolean     NOT NULL DEFAULT false,
    deleted         boolean     NOT NULL DEFAULT false,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    last_seen_at    timestamptz
);

CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email)) WHERE email IS NOT NULL;

-- Name search is a case-insensitive substring match. A trigram index makes it fast; pg_trgm
-- ships with PostgreSQL's contrib modules, and without it the search still works (seq scan).
DO $$
BEGIN
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
    EXECUTE 'CREATE INDEX users_name_trgm ON users USING gin (lower(name) gin_trgm_ops) WHERE NOT deleted';
EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE 'pg_trgm unavailable (%), name search will not use an index', SQLERRM;
END
$$;
