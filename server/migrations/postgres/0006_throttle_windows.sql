-- Each counter keeps its own window, so counters of different lengths (a login window, an
-- hour of mail requests, the run of failures that locks untrusted browsers out of an account)
-- share one table and one sweep. Existing rows were login windows of at most an hour.
ALTER TABLE login_throttle ADD COLUMN window_secs BIGINT NOT NULL DEFAULT 3600;
