//! The data layer: every SQL statement of the product lives under this module.
//!
//! Queries are written once for SQLite and PostgreSQL through sqlx's `Any` driver: `$n`
//! placeholders (both engines accept them), integers as BIGINT and times as Unix seconds.

pub mod accounts;
pub mod email_tokens;
pub mod outbox;
pub mod passkeys;
pub mod security_log;
pub mod server_key;
pub mod sessions;
pub mod ssh_keys;
pub mod throttle;
pub mod two_factor;
pub mod users;

/// The connection pool; SQLite or PostgreSQL, chosen by the database URL at start-up.
pub type Db = sqlx::AnyPool;

/// True when `error` is a violated UNIQUE constraint (duplicate email, say).
pub fn is_unique_violation(error: &sqlx::Error) -> bool {
    error
        .as_database_error()
        .is_some_and(|e| e.is_unique_violation())
}

/// Starts a transaction that writes. On SQLite it takes the write lock at once (`BEGIN
/// IMMEDIATE`, waiting up to the busy timeout): a deferred transaction that reads first and
/// writes later is refused with "database is locked" when another connection wrote in
/// between, since its snapshot is stale. PostgreSQL's plain `BEGIN` has no such failure.
pub async fn begin_write(db: &Db) -> Result<sqlx::Transaction<'static, sqlx::Any>, sqlx::Error> {
    if db
        .connect_options()
        .database_url
        .scheme()
        .starts_with("sqlite")
    {
        db.begin_with("BEGIN IMMEDIATE").await
    } else {
        db.begin().await
    }
}
