-- People and their display preferences. Times are Unix seconds (portable across engines).
CREATE TABLE users (
    id                  BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email               TEXT    NOT NULL UNIQUE,
    mobile              TEXT    NOT NULL UNIQUE,
    first_name          TEXT    NOT NULL,
    last_name           TEXT    NOT NULL,
    password_hash       TEXT    NOT NULL,
    password_changed_at BIGINT  NOT NULL,
    session_epoch       BIGINT  NOT NULL DEFAULT 0,
    timezone            TEXT    NOT NULL DEFAULT 'UTC',
    date_format         TEXT    NOT NULL DEFAULT 'iso',
    time_format         TEXT    NOT NULL DEFAULT '24h',
    created_at          BIGINT  NOT NULL,
    updated_at          BIGINT  NOT NULL
);

-- Login attempts per account and per client address, in fixed windows.
CREATE TABLE login_throttle (
    key          TEXT    PRIMARY KEY,
    window_start BIGINT  NOT NULL,
    attempts     BIGINT  NOT NULL
);
