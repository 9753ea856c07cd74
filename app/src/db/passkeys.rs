//! Passkeys and security keys (WebAuthn credentials), the person's WebAuthn user handle, and
//! the state of ceremonies in progress.

use sqlx::{AnyConnection, FromRow};

use super::Db;

#[derive(Debug, Clone, FromRow)]
pub struct Passkey {
    pub id: i64,
    pub user_id: i64,
    /// base64url of the credential id.
    pub credential_id: String,
    pub name: String,
    /// webauthn-rs' `Passkey` as JSON.
    pub credential: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

const COLUMNS: &str = "id, user_id, credential_id, name, credential, created_at, last_used_at";

/// The user's passkeys, oldest first.
pub async fn of_user(db: &Db, user_id: i64) -> Result<Vec<Passkey>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM passkeys WHERE user_id = $1 ORDER BY created_at, id"
    ))
    .bind(user_id)
    .fetch_all(db)
    .await
}

pub async fn count(db: &Db, user_id: i64) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM passkeys WHERE user_id = $1")
        .bind(user_id)
        .fetch_one(db)
        .await
}

/// The passkey with this credential id, whoever owns it.
pub async fn by_credential_id(
    db: &Db,
    credential_id: &str,
) -> Result<Option<Passkey>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM passkeys WHERE credential_id = $1"
    ))
    .bind(credential_id)
    .fetch_optional(db)
    .await
}

pub struct NewPasskey<'a> {
    pub user_id: i64,
    pub credential_id: &'a str,
    pub name: &'a str,
    pub name_key: &'a str,
    pub credential: &'a str,
    pub now: i64,
}

/// Adds a passkey on the caller's transaction. A credential id already stored (for anyone) or
/// a name the user already uses is a unique violation.
pub async fn insert(conn: &mut AnyConnection, new: &NewPasskey<'_>) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO passkeys (user_id, credential_id, name, name_key, credential, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(new.user_id)
    .bind(new.credential_id)
    .bind(new.name)
    .bind(new.name_key)
    .bind(new.credential)
    .bind(new.now)
    .fetch_one(conn)
    .await
}

/// True if another passkey of the user already has this (lower-cased) name.
pub async fn name_taken(
    db: &Db,
    user_id: i64,
    name_key: &str,
    except: Option<i64>,
) -> Result<bool, sqlx::Error> {
    let row: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM passkeys WHERE user_id = $1 AND name_key = $2 AND id <> $3",
    )
    .bind(user_id)
    .bind(name_key)
    .bind(except.unwrap_or(-1))
    .fetch_optional(db)
    .await?;
    Ok(row.is_some())
}

/// Records a use: the credential as the use left it (counter, backup flags) and when. Only
/// while the passkey still exists, so a use that races its removal does not bring it back.
pub async fn record_use(
    conn: &mut AnyConnection,
    id: i64,
    credential: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("UPDATE passkeys SET credential = $1, last_used_at = $2 WHERE id = $3")
        .bind(credential)
        .bind(now)
        .bind(id)
        .execute(conn)
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
    let done =
        sqlx::query("UPDATE passkeys SET name = $1, name_key = $2 WHERE id = $3 AND user_id = $4")
            .bind(name)
            .bind(name_key)
            .bind(id)
            .bind(user_id)
            .execute(db)
            .await?;
    Ok(done.rows_affected() == 1)
}

/// Removes the user's passkey `id` on the caller's transaction; with the last second factor go
/// the recovery codes. Its name and whether any second factor is left, if it existed.
pub async fn delete(
    conn: &mut AnyConnection,
    user_id: i64,
    id: i64,
) -> Result<Option<(String, bool)>, sqlx::Error> {
    let name: Option<String> =
        sqlx::query_scalar("DELETE FROM passkeys WHERE id = $1 AND user_id = $2 RETURNING name")
            .bind(id)
            .bind(user_id)
            .fetch_optional(&mut *conn)
            .await?;
    let Some(name) = name else {
        return Ok(None);
    };
    let left = super::two_factor::after_removal(conn, user_id).await?;
    Ok(Some((name, left)))
}

/// The user's WebAuthn user handle, if they ever added a passkey.
pub async fn user_handle(db: &Db, user_id: i64) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar::<_, Option<String>>("SELECT passkey_handle FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_optional(db)
        .await
        .map(Option::flatten)
}

/// Gives the user `handle` unless they already have one; the handle they have afterwards.
pub async fn ensure_user_handle(
    db: &Db,
    user_id: i64,
    handle: &str,
) -> Result<String, sqlx::Error> {
    sqlx::query("UPDATE users SET passkey_handle = $1 WHERE id = $2 AND passkey_handle IS NULL")
        .bind(handle)
        .bind(user_id)
        .execute(db)
        .await?;
    sqlx::query_scalar("SELECT passkey_handle FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_one(db)
        .await
}

/// Whose handle this is.
pub async fn user_by_handle(db: &Db, handle: &str) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM users WHERE passkey_handle = $1")
        .bind(handle)
        .fetch_optional(db)
        .await
}

pub struct NewCeremony<'a> {
    pub id_hash: &'a str,
    pub user_id: Option<i64>,
    pub purpose: &'a str,
    pub state: &'a str,
    pub expires_at: i64,
}

pub async fn put_ceremony(db: &Db, new: &NewCeremony<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO passkey_ceremonies (id_hash, user_id, purpose, state, expires_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(new.id_hash)
    .bind(new.user_id)
    .bind(new.purpose)
    .bind(new.state)
    .bind(new.expires_at)
    .execute(db)
    .await?;
    Ok(())
}

/// Deletes the ceremony and returns its state if it was still there, unexpired, for this
/// purpose and user. One statement: of two requests racing with the same ceremony, only one
/// gets its state.
pub async fn take_ceremony(
    db: &Db,
    id_hash: &str,
    user_id: Option<i64>,
    purpose: &str,
    now: i64,
) -> Result<Option<String>, sqlx::Error> {
    let state: Option<(String, Option<i64>, String, i64)> = sqlx::query_as(
        "DELETE FROM passkey_ceremonies WHERE id_hash = $1 \
         RETURNING state, user_id, purpose, expires_at",
    )
    .bind(id_hash)
    .fetch_optional(db)
    .await?;
    Ok(state.and_then(|(state, owner, kind, expires_at)| {
        (owner == user_id && kind == purpose && expires_at > now).then_some(state)
    }))
}

/// Deletes the ceremonies that expired unused.
pub async fn prune_ceremonies(db: &Db, now: i64) -> Result<u64, sqlx::Error> {
    Ok(
        sqlx::query("DELETE FROM passkey_ceremonies WHERE expires_at <= $1")
            .bind(now)
            .execute(db)
            .await?
            .rows_affected(),
    )
}
