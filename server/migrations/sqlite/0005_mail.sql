-- Verified email, password reset and the mail outbox.

-- NULL until the person opened a link mailed to the address (or an invitation link, which
-- was mailed there too). Everyone who signed up before this migration starts unverified.
ALTER TABLE users ADD COLUMN email_verified_at INTEGER;

-- Single-use links mailed to a person: 'verify_email' or 'reset_password'. One live token per
-- person and purpose, so a new link replaces (voids) the old one. Only the SHA-256 is stored.
CREATE TABLE email_tokens (
    user_id    INTEGER  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose    TEXT    NOT NULL,
    token_hash TEXT    NOT NULL UNIQUE,
    created_at INTEGER  NOT NULL,
    expires_at INTEGER  NOT NULL,
    PRIMARY KEY (user_id, purpose)
);

-- Every mail, written in the same transaction as the change that causes it and sent by a
-- background worker. status: 'pending' (to send, at next_attempt_at), 'sent' or 'failed'.
-- A worker claims a row by setting locked_until; a claim that outlives it (the process
-- died mid-send) is taken over by another worker.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    kind            TEXT    NOT NULL,
    recipient       TEXT    NOT NULL,
    subject         TEXT    NOT NULL,
    -- Emptied once sent: bodies carry single-use links.
    body            TEXT    NOT NULL,
    status          TEXT    NOT NULL DEFAULT 'pending',
    attempts        INTEGER  NOT NULL DEFAULT 0,
    created_at      INTEGER  NOT NULL,
    next_attempt_at INTEGER  NOT NULL,
    locked_until    INTEGER,
    sent_at         INTEGER,
    last_error      TEXT
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
