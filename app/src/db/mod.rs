//! The data layer: every SQL statement of the product lives under this module.
//!
//! Queries are written once for SQLite and PostgreSQL through sqlx's `Any` driver: `$n`
//! placeholders (both engines accept them), integers as BIGINT and times as Unix seconds.

pub mod accounts;
pub mod email_tokens;
pub mod outbox;
pub mod security_log;
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
