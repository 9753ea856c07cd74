//! The `ssh_keys` table.

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::Db;

#[derive(Debug, Clone)]
pub struct SshKey {
    pub id: i64,
    pub title: String,
    pub algorithm: String,
    pub bits: i64,
    pub fingerprint: String,
    pub public_key: String,
    pub created_at: i64,
    pub expires_on: Option<String>,
    pub expires_at: Option<i64>,
}

const COLUMNS: &str =
    "id, title, algorithm, bits, fingerprint, public_key, created_at, expires_on, expires_at";

fn from_row(row: &AnyRow) -> Result<SshKey, sqlx::Error> {
    Ok(SshKey {
        id: row.try_get("id")?,
        title: row.try_get("title")?,
        algorithm: row.try_get("algorithm")?,
        bits: row.try_get("bits")?,
        fingerprint: row.try_get("fingerprint")?,
        public_key: row.try_get("public_key")?,
        created_at: row.try_get("created_at")?,
        expires_on: row.try_get("expires_on")?,
        expires_at: row.try_get("expires_at")?,
    })
}

pub struct NewKey<'a> {
    pub user_id: i64,
    pub title: &'a str,
    pub algorithm: &'a str,
    pub bits: i64,
    pub fingerprint: &'a str,
    pub public_key: &'a str,
    pub now: i64,
    pub expires_on: Option<&'a str>,
    pub expires_at: Option<i64>,
}

/// Fails with a unique violation when the fingerprint is already registered (by anyone).
pub async fn insert(conn: &mut AnyConnection, key: &NewKey<'_>) -> Result<SshKey, sqlx::Error> {
    let row = sqlx::query(&format!(
        "INSERT INTO ssh_keys (user_id, title, algorithm, bits, fingerprint, public_key, \
           created_at, expires_on, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING {COLUMNS}"
    ))
    .bind(key.user_id)
    .bind(key.title)
    .bind(key.algorithm)
    .bind(key.bits)
    .bind(key.fingerprint)
    .bind(key.public_key)
    .bind(key.now)
    .bind(key.expires_on)
    .bind(key.expires_at)
    .fetch_one(conn)
    .await?;
    from_row(&row)
}

pub async fn fingerprint_exists(db: &Db, fingerprint: &str) -> Result<bool, sqlx::Error> {
    Ok(
        sqlx::query("SELECT 1 AS one FROM ssh_keys WHERE fingerprint = $1")
            .bind(fingerprint)
            .fetch_optional(db)
            .await?
            .is_some(),
    )
}

/// The user's keys, oldest first.
pub async fn for_user(db: &Db, user_id: i64) -> Result<Vec<SshKey>, sqlx::Error> {
    sqlx::query(&format!(
        "SELECT {COLUMNS} FROM ssh_keys WHERE user_id = $1 ORDER BY id"
    ))
    .bind(user_id)
    .fetch_all(db)
    .await?
    .iter()
    .map(from_row)
    .collect()
}

/// Deletes the user's key `id`; `None` when the user has no such key (someone else's keys
/// answer the same as missing ones).
pub async fn delete(db: &Db, user_id: i64, id: i64) -> Result<Option<SshKey>, sqlx::Error> {
    sqlx::query(&format!(
        "DELETE FROM ssh_keys WHERE id = $1 AND user_id = $2 RETURNING {COLUMNS}"
    ))
    .bind(id)
    .bind(user_id)
    .fetch_optional(db)
    .await?
    .as_ref()
    .map(from_row)
    .transpose()
}
