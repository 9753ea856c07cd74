-- Authenticator devices (TOTP). A device is pending while `confirmed_at` is NULL: it never
-- counts for login and is deleted once older than the wizard's time limit.
CREATE TABLE totp_devices (
    id             INTEGER PRIMARY KEY,
    user_id        INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name           TEXT    NOT NULL,
    -- Lower-cased name: names are unique per user regardless of case.
    name_key       TEXT    NOT NULL,
    -- AES-256-GCM with the server key: hex(nonce || ciphertext).
    secret         TEXT    NOT NULL,
    created_at     INTEGER NOT NULL,
    confirmed_at   INTEGER,
    -- The last accepted 30-second step; a code of that step or older is refused (replay).
    last_used_step INTEGER,
    last_used_at   INTEGER,
    UNIQUE (user_id, name_key)
);

-- Single-use recovery codes, stored as SHA-256 hashes (they carry 50 random bits).
CREATE TABLE recovery_codes (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash  TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    used_at    INTEGER,
    UNIQUE (user_id, code_hash)
);

-- What happened to the way a person signs in, shown to them on the Authentication page.
CREATE TABLE security_events (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind        TEXT    NOT NULL,
    detail      TEXT    NOT NULL,
    client_addr TEXT,
    created_at  INTEGER NOT NULL
);
CREATE INDEX security_events_by_user ON security_events (user_id, id);
