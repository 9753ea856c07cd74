-- Where each person is signed in, for their "Sessions" list. The session itself is
-- tower-sessions' record; a row here is keyed by the SHA-256 of the random handle that record
-- carries (the store's own id changes at every sign-in step). Rows are written at sign-in
-- and at most once a minute after, so a page view costs no write.
CREATE TABLE user_sessions (
    id_hash      TEXT    PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    -- No later than the session record's own expiry; the sweep deletes the row after it.
    expires_at   INTEGER NOT NULL,
    user_agent   TEXT,
    client_addr  TEXT,
    -- password, password+code, password+recovery, unknown (a session from before this table)
    method       TEXT    NOT NULL,
    -- Ended from the list: the session's next request, on any process, signs it out.
    ended_at     INTEGER
);
CREATE INDEX user_sessions_by_user ON user_sessions (user_id);
CREATE INDEX user_sessions_by_expiry ON user_sessions (expires_at);

-- Sessions from before this table are listed once, by the first server to start after it.
CREATE TABLE sessions_to_list (pending INTEGER NOT NULL);
INSERT INTO sessions_to_list (pending) VALUES (1);

-- The sign-in history names the browser of each event; it is kept for a set number of days.
ALTER TABLE security_events ADD COLUMN user_agent TEXT;
CREATE INDEX security_events_by_time ON security_events (created_at);
