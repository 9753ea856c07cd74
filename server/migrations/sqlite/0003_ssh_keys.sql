-- Public SSH keys. A key belongs to one person only: its fingerprint is unique across users.
CREATE TABLE ssh_keys (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    title       TEXT    NOT NULL,
    algorithm   TEXT    NOT NULL,
    bits        INTEGER NOT NULL,
    -- `SHA256:` + unpadded base64, as `ssh-keygen -lf` prints it.
    fingerprint TEXT    NOT NULL UNIQUE,
    -- Type and base64 key data, no comment: the authorized_keys line.
    public_key  TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    -- The day chosen (YYYY-MM-DD) and the moment it ends in the owner's time zone.
    expires_on  TEXT,
    expires_at  INTEGER
);
CREATE INDEX ssh_keys_by_user ON ssh_keys (user_id, id);
