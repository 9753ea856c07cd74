-- A check value of the server key (an HMAC it makes of a fixed text, which reveals nothing of
-- the key): a server started with another key, or with a new one after the key file was lost,
-- refuses to start instead of silently failing every two-factor login.
CREATE TABLE server_key (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    check_value TEXT   NOT NULL,
    created_at  INTEGER NOT NULL
);
