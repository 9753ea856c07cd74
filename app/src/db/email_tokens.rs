//! The `email_tokens` table: single-use links mailed to a person (verify the address, reset
//! the password). Only a token's SHA-256 is stored; one live token per person and purpose.

use sqlx::{AnyConnection, Row};

use super::Db;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    VerifyEmail,
    ResetPassword,
}

impl Purpose {
    fn id(self) -> &'static str {
        match self {
            Purpose::VerifyEmail => "verify_email",
            Purpose::ResetPassword => "reset_password",
        }
    }
}

/// Stores a new token for the person and purpose; the one before stops working.
pub async fn replace(
    conn: &mut AnyConnection,
    user_id: i64,
    purpose: Purpose,
    token_hash: &str,
    now: i64,
    expires_at: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO email_tokens (user_id, purpose, token_hash, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (user_id, purpose) DO UPDATE SET \
         token_hash = excluded.token_hash, created_at = excluded.created_at, \
         expires_at = excluded.expires_at",
    )
    .bind(user_id)
    .bind(purpose.id())
    .bind(token_hash)
    .bind(now)
    .bind(expires_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// The person a live (unused, unexpired, not replaced) token belongs to, without using it.
pub async fn owner(
    db: &Db,
    purpose: Purpose,
    token_hash: &str,
    now: i64,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query(
        "SELECT user_id FROM email_tokens WHERE token_hash = $1 AND purpose = $2 AND expires_at > $3",
    )
    .bind(token_hash)
    .bind(purpose.id())
    .bind(now)
    .fetch_optional(db)
    .await?
    .map(|row| row.try_get("user_id"))
    .transpose()
}

/// Uses a live token up: of any number of racing requests, one gets the person's id.
pub async fn consume(
    conn: &mut AnyConnection,
    purpose: Purpose,
    token_hash: &str,
    now: i64,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query(
        "DELETE FROM email_tokens WHERE token_hash = $1 AND purpose = $2 AND expires_at > $3 \
         RETURNING user_id",
    )
    .bind(token_hash)
    .bind(purpose.id())
    .bind(now)
    .fetch_optional(conn)
    .await?
    .map(|row| row.try_get("user_id"))
    .transpose()
}

/// Ends every live token of a purpose for the person (a reset also voids older reset links).
pub async fn revoke(
    conn: &mut AnyConnection,
    user_id: i64,
    purpose: Purpose,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM email_tokens WHERE user_id = $1 AND purpose = $2")
        .bind(user_id)
        .bind(purpose.id())
        .execute(conn)
        .await?;
    Ok(())
}

/// Drops expired tokens; called periodically by the server.
pub async fn prune(db: &Db, now: i64) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("DELETE FROM email_tokens WHERE expires_at <= $1")
        .bind(now)
        .execute(db)
        .await?;
    Ok(done.rows_affected())
}
