//! The stored check value of the server key, and whether anything depends on the key.

use sqlx::Row;

use super::Db;

pub async fn check_value(db: &Db) -> Result<Option<String>, sqlx::Error> {
    sqlx::query("SELECT check_value FROM server_key WHERE id = 1")
        .fetch_optional(db)
        .await?
        .map(|r| r.try_get("check_value"))
        .transpose()
}

/// Stores the check value unless one is there (a second process starting at the same time
/// stores the same value, or a different one it is then refused for).
pub async fn store_check_value(db: &Db, value: &str, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO server_key (id, check_value, created_at) VALUES (1, $1, $2) \
         ON CONFLICT (id) DO NOTHING",
    )
    .bind(value)
    .bind(now)
    .execute(db)
    .await?;
    Ok(())
}

/// One device secret and its owner, to try a key on; `None` when no data depends on the key.
pub async fn sample_secret(db: &Db) -> Result<Option<(i64, String)>, sqlx::Error> {
    sqlx::query("SELECT user_id, secret FROM totp_devices ORDER BY id LIMIT 1")
        .fetch_optional(db)
        .await?
        .map(|r| Ok((r.try_get("user_id")?, r.try_get("secret")?)))
        .transpose()
}

/// Whether any recovery code (keyed by the server key) is stored.
pub async fn has_recovery_codes(db: &Db) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query("SELECT 1 AS one FROM recovery_codes LIMIT 1")
        .fetch_optional(db)
        .await?
        .is_some())
}
