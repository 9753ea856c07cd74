//! Authenticator devices and recovery codes.

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::Db;

#[derive(Debug, Clone)]
pub struct Device {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    /// Encrypted; see `crate::secrets`.
    pub secret: String,
    pub created_at: i64,
    pub confirmed_at: Option<i64>,
    pub last_used_at: Option<i64>,
}

const COLUMNS: &str = "id, user_id, name, secret, created_at, confirmed_at, last_used_at";

fn from_row(row: &AnyRow) -> Result<Device, sqlx::Error> {
    Ok(Device {
        id: row.try_get("id")?,
        user_id: row.try_get("user_id")?,
        name: row.try_get("name")?,
        secret: row.try_get("secret")?,
        created_at: row.try_get("created_at")?,
        confirmed_at: row.try_get("confirmed_at")?,
        last_used_at: row.try_get("last_used_at")?,
    })
}

/// The user's linked (confirmed) devices, oldest first.
pub async fn confirmed(db: &Db, user_id: i64) -> Result<Vec<Device>, sqlx::Error> {
    sqlx::query(&format!(
        "SELECT {COLUMNS} FROM totp_devices \
         WHERE user_id = $1 AND confirmed_at IS NOT NULL ORDER BY confirmed_at, id"
    ))
    .bind(user_id)
    .fetch_all(db)
    .await?
    .iter()
    .map(from_row)
    .collect()
}

pub async fn has_confirmed(db: &Db, user_id: i64) -> Result<bool, sqlx::Error> {
    let row = sqlx::query(
        "SELECT 1 AS one FROM totp_devices WHERE user_id = $1 AND confirmed_at IS NOT NULL LIMIT 1",
    )
    .bind(user_id)
    .fetch_optional(db)
    .await?;
    Ok(row.is_some())
}

/// Whether the user has a second factor: a linked device or a passkey. That is what
/// "two-factor authentication is on" means.
pub async fn has_second_factor(
    conn: &mut AnyConnection,
    user_id: i64,
) -> Result<bool, sqlx::Error> {
    let row = sqlx::query(
        "SELECT 1 AS one FROM totp_devices WHERE user_id = $1 AND confirmed_at IS NOT NULL \
         UNION ALL SELECT 1 AS one FROM passkeys WHERE user_id = $1 LIMIT 1",
    )
    .bind(user_id)
    .fetch_optional(conn)
    .await?;
    Ok(row.is_some())
}

/// After a second factor was removed in the caller's transaction: whether any is left. With
/// the last one go the recovery codes (two-factor is off).
pub async fn after_removal(conn: &mut AnyConnection, user_id: i64) -> Result<bool, sqlx::Error> {
    let left = has_second_factor(conn, user_id).await?;
    if !left {
        sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(left)
}

/// The user's pending device, if one was started after `not_before`.
pub async fn pending(
    db: &Db,
    user_id: i64,
    not_before: i64,
) -> Result<Option<Device>, sqlx::Error> {
    sqlx::query(&format!(
        "SELECT {COLUMNS} FROM totp_devices \
         WHERE user_id = $1 AND confirmed_at IS NULL AND created_at > $2"
    ))
    .bind(user_id)
    .bind(not_before)
    .fetch_optional(db)
    .await?
    .as_ref()
    .map(from_row)
    .transpose()
}

/// True if a linked device of the user already has this (lower-cased) name.
pub async fn name_taken(
    db: &Db,
    user_id: i64,
    name_key: &str,
    except: Option<i64>,
) -> Result<bool, sqlx::Error> {
    let row = sqlx::query(
        "SELECT 1 AS one FROM totp_devices \
         WHERE user_id = $1 AND name_key = $2 AND confirmed_at IS NOT NULL AND id <> $3",
    )
    .bind(user_id)
    .bind(name_key)
    .bind(except.unwrap_or(-1))
    .fetch_optional(db)
    .await?;
    Ok(row.is_some())
}

/// Replaces any pending device of the user by a new one, in one transaction: at most one
/// wizard runs per person, and an abandoned one leaves nothing behind.
pub async fn start_pending(
    db: &Db,
    user_id: i64,
    name: &str,
    name_key: &str,
    secret: &str,
    now: i64,
) -> Result<Device, sqlx::Error> {
    let mut tx = crate::db::begin_write(db).await?;
    sqlx::query("DELETE FROM totp_devices WHERE user_id = $1 AND confirmed_at IS NULL")
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    let row = sqlx::query(&format!(
        "INSERT INTO totp_devices (user_id, name, name_key, secret, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING {COLUMNS}"
    ))
    .bind(user_id)
    .bind(name)
    .bind(name_key)
    .bind(secret)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    from_row(&row)
}

pub async fn delete_pending(db: &Db, user_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM totp_devices WHERE user_id = $1 AND confirmed_at IS NULL")
        .bind(user_id)
        .execute(db)
        .await?;
    Ok(())
}

/// Links the pending device `id` (if it is still pending and fresh), marks `step` as used,
/// and, when `recovery_hashes` is given (the first device), stores the recovery codes, all
/// in the caller's transaction. False when the device is gone or expired.
pub async fn confirm(
    conn: &mut AnyConnection,
    user_id: i64,
    id: i64,
    step: i64,
    now: i64,
    not_before: i64,
    recovery_hashes: Option<&[String]>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE totp_devices SET confirmed_at = $1, last_used_step = $2, last_used_at = $1 \
         WHERE id = $3 AND user_id = $4 AND confirmed_at IS NULL AND created_at > $5",
    )
    .bind(now)
    .bind(step)
    .bind(id)
    .bind(user_id)
    .bind(not_before)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() != 1 {
        return Ok(false);
    }
    if let Some(hashes) = recovery_hashes {
        replace_recovery_codes(conn, user_id, hashes, now).await?;
    }
    Ok(true)
}

/// Claims `step` for a linked device: succeeds for exactly one request per step, however
/// many race, and never for a step at or before the last one used.
pub async fn claim_step(db: &Db, id: i64, step: i64, now: i64) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE totp_devices SET last_used_step = $1, last_used_at = $2 \
         WHERE id = $3 AND confirmed_at IS NOT NULL \
           AND (last_used_step IS NULL OR last_used_step < $1)",
    )
    .bind(step)
    .bind(now)
    .bind(id)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn rename(
    db: &Db,
    user_id: i64,
    id: i64,
    name: &str,
    name_key: &str,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE totp_devices SET name = $1, name_key = $2 \
         WHERE id = $3 AND user_id = $4 AND confirmed_at IS NOT NULL",
    )
    .bind(name)
    .bind(name_key)
    .bind(id)
    .bind(user_id)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Removes a linked device; with the last second factor go the recovery codes. Returns the
/// removed device's name and whether any second factor is left. Part of the caller's
/// transaction.
pub async fn remove(
    conn: &mut AnyConnection,
    user_id: i64,
    id: i64,
) -> Result<Option<(String, bool)>, sqlx::Error> {
    let Some(row) = sqlx::query(
        "DELETE FROM totp_devices WHERE id = $1 AND user_id = $2 AND confirmed_at IS NOT NULL \
         RETURNING name",
    )
    .bind(id)
    .bind(user_id)
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(None);
    };
    let name: String = row.try_get("name")?;
    let left = after_removal(conn, user_id).await?;
    Ok(Some((name, left)))
}

/// Deletes pending devices whose wizard ran out of time.
pub async fn prune_pending(db: &Db, not_before: i64) -> Result<u64, sqlx::Error> {
    let done =
        sqlx::query("DELETE FROM totp_devices WHERE confirmed_at IS NULL AND created_at <= $1")
            .bind(not_before)
            .execute(db)
            .await?;
    Ok(done.rows_affected())
}

/// Voids every recovery code of the user and stores new ones, in the caller's transaction.
pub async fn replace_recovery_codes(
    conn: &mut AnyConnection,
    user_id: i64,
    hashes: &[String],
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    for hash in hashes {
        sqlx::query(
            "INSERT INTO recovery_codes (user_id, code_hash, created_at) VALUES ($1, $2, $3)",
        )
        .bind(user_id)
        .bind(hash)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Uses up one recovery code: true for exactly one request, however many race.
pub async fn use_recovery_code(
    conn: &mut AnyConnection,
    user_id: i64,
    hash: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE recovery_codes SET used_at = $1 \
         WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL",
    )
    .bind(now)
    .bind(user_id)
    .bind(hash)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn recovery_codes_left(
    conn: &mut AnyConnection,
    user_id: i64,
) -> Result<i64, sqlx::Error> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL",
    )
    .bind(user_id)
    .fetch_one(conn)
    .await?;
    row.try_get("n")
}
