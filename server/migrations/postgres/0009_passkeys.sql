-- Passkeys and security keys (WebAuthn). `credential` is webauthn-rs' `Passkey` as JSON (public
-- key, signature counter, backup flags); it is rewritten when a use changes them.
CREATE TABLE passkeys (
    id            BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id       BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- base64url of the credential id, unique across every person: one credential never
    -- belongs to two accounts.
    credential_id TEXT    NOT NULL UNIQUE,
    name          TEXT    NOT NULL,
    -- Lower-cased name: names are unique per user regardless of case.
    name_key      TEXT    NOT NULL,
    credential    TEXT    NOT NULL,
    created_at    BIGINT  NOT NULL,
    last_used_at  BIGINT,
    UNIQUE (user_id, name_key)
);
CREATE INDEX passkeys_by_user ON passkeys (user_id, id);

-- The WebAuthn user handle an authenticator keeps with a discoverable credential: random,
-- made at the first passkey, so it says nothing about the account.
ALTER TABLE users ADD COLUMN passkey_handle TEXT;
CREATE UNIQUE INDEX users_by_passkey_handle ON users (passkey_handle);

-- A started registration or sign-in (its challenge and state), keyed by the SHA-256 of a random
-- token kept in the session. Taking it deletes it, so a challenge works once; the sweep
-- deletes the ones that expired unused. `user_id` is NULL for a sign-in with a passkey alone.
CREATE TABLE passkey_ceremonies (
    id_hash    TEXT    PRIMARY KEY,
    user_id    BIGINT  REFERENCES users (id) ON DELETE CASCADE,
    purpose    TEXT    NOT NULL,
    state      TEXT    NOT NULL,
    expires_at BIGINT  NOT NULL
);
CREATE INDEX passkey_ceremonies_by_expiry ON passkey_ceremonies (expires_at);
