-- Accounts (organisations), their members, workspaces, invitations and activity.
CREATE TABLE accounts (
    id            INTEGER PRIMARY KEY,
    name          TEXT    NOT NULL,
    company_name  TEXT    NOT NULL DEFAULT '',
    contact_email TEXT    NOT NULL DEFAULT '',
    phone         TEXT    NOT NULL DEFAULT '',
    address       TEXT    NOT NULL DEFAULT '',
    country       TEXT    NOT NULL DEFAULT '',
    tax_id        TEXT    NOT NULL DEFAULT '',
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);

-- role: 'owner', 'admin' or 'member'.
CREATE TABLE memberships (
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role       TEXT    NOT NULL,
    joined_at  INTEGER NOT NULL,
    PRIMARY KEY (account_id, user_id)
);
CREATE INDEX memberships_by_user ON memberships (user_id);

CREATE TABLE workspaces (
    id         INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name       TEXT    NOT NULL,
    -- Lower-cased: names are unique inside an account regardless of case.
    name_key   TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (account_id, name_key)
);

-- The token itself is never stored: only its SHA-256.
CREATE TABLE invitations (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    email       TEXT    NOT NULL,
    role        TEXT    NOT NULL,
    token_hash  TEXT    NOT NULL UNIQUE,
    invited_by  INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at  INTEGER NOT NULL,
    sent_at     INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    -- 'pending', 'accepted', 'declined' or 'revoked'.
    status      TEXT    NOT NULL DEFAULT 'pending',
    answered_at INTEGER
);
CREATE INDEX invitations_by_account ON invitations (account_id, status);
CREATE INDEX invitations_by_email ON invitations (email, status);

CREATE TABLE account_events (
    id         INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    actor_id   INTEGER REFERENCES users (id) ON DELETE SET NULL,
    kind       TEXT    NOT NULL,
    detail     TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX account_events_by_account ON account_events (account_id, id);

-- People who signed up before accounts existed become Owners of an account named after them,
-- with a "Default" workspace, as sign-up does now. Account ids reuse the user ids (the table
-- is empty here), which keeps the three inserts in step.
INSERT INTO accounts (id, name, created_at, updated_at)
    SELECT id, first_name || ' ' || last_name, created_at, created_at FROM users;
INSERT INTO memberships (account_id, user_id, role, joined_at)
    SELECT id, id, 'owner', created_at FROM users;
INSERT INTO workspaces (account_id, name, name_key, created_at)
    SELECT id, 'Default', 'default', created_at FROM users;
