//! The `users` table.

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::Db;
use crate::display::format::{DateFormat, TimeFormat};
use crate::display::Preferences;

#[derive(Debug, Clone)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub mobile: String,
    pub first_name: String,
    pub last_name: String,
    pub password_hash: String,
    pub password_changed_at: i64,
    /// Bumped when every session of the user must end (password change).
    pub session_epoch: i64,
    pub preferences: Preferences,
    pub created_at: i64,
    /// When the person proved the address by opening a link mailed to it; `None` until then.
    pub email_verified_at: Option<i64>,
}

impl User {
    /// Only a verified address may be trusted: invitations listed by address, security mail.
    pub fn email_verified(&self) -> bool {
        self.email_verified_at.is_some()
    }
}

const COLUMNS: &str = "id, email, mobile, first_name, last_name, password_hash, \
    password_changed_at, session_epoch, timezone, date_format, time_format, created_at, email_verified_at";

fn from_row(row: &AnyRow) -> Result<User, sqlx::Error> {
    let date_format: String = row.try_get("date_format")?;
    let time_format: String = row.try_get("time_format")?;
    Ok(User {
        id: row.try_get("id")?,
        email: row.try_get("email")?,
        mobile: row.try_get("mobile")?,
        first_name: row.try_get("first_name")?,
        last_name: row.try_get("last_name")?,
        password_hash: row.try_get("password_hash")?,
        password_changed_at: row.try_get("password_changed_at")?,
        session_epoch: row.try_get("session_epoch")?,
        preferences: Preferences {
            timezone: row.try_get("timezone")?,
            // Stored values were validated on the way in; an unknown one (say, a format
            // retired later) falls back to the default instead of breaking the page.
            date_format: DateFormat::from_id(&date_format).unwrap_or_default(),
            time_format: TimeFormat::from_id(&time_format).unwrap_or_default(),
        },
        created_at: row.try_get("created_at")?,
        email_verified_at: row.try_get("email_verified_at")?,
    })
}

pub struct NewUser<'a> {
    pub email: &'a str,
    pub mobile: &'a str,
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub password_hash: &'a str,
    pub now: i64,
    /// Signing up from an invitation link proves the address: the link was mailed there.
    pub email_verified: bool,
}

/// Stores a new person together with their first account (they own it) and its first
/// workspace; the caller's transaction makes it all or nothing (with the verification mail).
pub async fn insert(conn: &mut AnyConnection, user: &NewUser<'_>) -> Result<User, sqlx::Error> {
    let row = sqlx::query(&format!(
        "INSERT INTO users (email, mobile, first_name, last_name, password_hash, \
         password_changed_at, created_at, updated_at, email_verified_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6, $6, $7) RETURNING {COLUMNS}"
    ))
    .bind(user.email)
    .bind(user.mobile)
    .bind(user.first_name)
    .bind(user.last_name)
    .bind(user.password_hash)
    .bind(user.now)
    .bind(user.email_verified.then_some(user.now))
    .fetch_one(&mut *conn)
    .await?;
    let created = from_row(&row)?;
    let account = format!("{} {}", user.first_name, user.last_name);
    super::accounts::create_in(conn, created.id, &account, "Default", user.now).await?;
    Ok(created)
}

pub async fn find_by_id(db: &Db, id: i64) -> Result<Option<User>, sqlx::Error> {
    sqlx::query(&format!("SELECT {COLUMNS} FROM users WHERE id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await?
        .map(|row| from_row(&row))
        .transpose()
}

/// The user, and the expiry of their live (not ended) session row `session_id`, if there is
/// one: in one query, since every request asks both.
pub async fn find_with_session(
    db: &Db,
    id: i64,
    session_id: &str,
) -> Result<Option<(User, Option<i64>)>, sqlx::Error> {
    sqlx::query(&format!(
        "SELECT {COLUMNS}, (SELECT expires_at FROM user_sessions \
         WHERE id_hash = $2 AND user_id = $1 AND ended_at IS NULL) AS session_expires_at \
         FROM users WHERE id = $1"
    ))
    .bind(id)
    .bind(session_id)
    .fetch_optional(db)
    .await?
    .map(|row| Ok((from_row(&row)?, row.try_get("session_expires_at")?)))
    .transpose()
}

pub async fn find_by_email(db: &Db, email: &str) -> Result<Option<User>, sqlx::Error> {
    sqlx::query(&format!("SELECT {COLUMNS} FROM users WHERE email = $1"))
        .bind(email)
        .fetch_optional(db)
        .await?
        .map(|row| from_row(&row))
        .transpose()
}

pub async fn email_exists(db: &Db, email: &str) -> Result<bool, sqlx::Error> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM users WHERE email = $1")
        .bind(email)
        .fetch_one(db)
        .await?;
    Ok(row.try_get::<i64, _>("n")? > 0)
}

pub async fn mobile_exists(db: &Db, mobile: &str) -> Result<bool, sqlx::Error> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM users WHERE mobile = $1")
        .bind(mobile)
        .fetch_one(db)
        .await?;
    Ok(row.try_get::<i64, _>("n")? > 0)
}

/// Only the two name columns: there is deliberately no query that writes email or mobile.
pub async fn update_name(
    db: &Db,
    id: i64,
    first_name: &str,
    last_name: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET first_name = $1, last_name = $2, updated_at = $3 WHERE id = $4")
        .bind(first_name)
        .bind(last_name)
        .bind(now)
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

pub async fn update_preferences(db: &Db, id: i64, prefs: &Preferences) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET timezone = $1, date_format = $2, time_format = $3 WHERE id = $4")
        .bind(&prefs.timezone)
        .bind(prefs.date_format.id())
        .bind(prefs.time_format.id())
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

/// Replaces the password hash and ends every session in one statement, and only if the hash
/// is still the one the current password was checked against (a concurrent change wins
/// cleanly instead of being overwritten). Returns the new session epoch, or `None` if the
/// hash had changed in between.
pub async fn replace_password(
    conn: &mut AnyConnection,
    id: i64,
    expected_hash: &str,
    new_hash: &str,
    now: i64,
) -> Result<Option<i64>, sqlx::Error> {
    let row = sqlx::query(
        "UPDATE users SET password_hash = $1, password_changed_at = $2, updated_at = $2, \
         session_epoch = session_epoch + 1 WHERE id = $3 AND password_hash = $4 \
         RETURNING session_epoch",
    )
    .bind(new_hash)
    .bind(now)
    .bind(id)
    .bind(expected_hash)
    .fetch_optional(conn)
    .await?;
    row.map(|r| r.try_get("session_epoch")).transpose()
}

/// Ends every session of the user (the epoch moves); returns the new epoch.
pub async fn bump_session_epoch(conn: &mut AnyConnection, id: i64) -> Result<i64, sqlx::Error> {
    sqlx::query(
        "UPDATE users SET session_epoch = session_epoch + 1 WHERE id = $1 RETURNING session_epoch",
    )
    .bind(id)
    .fetch_one(conn)
    .await?
    .try_get("session_epoch")
}

/// A password reset: the new hash, every session ended (the epoch moves), and the address
/// verified, since the reset link was mailed to it. Returns the new epoch.
pub async fn reset_password(
    conn: &mut AnyConnection,
    id: i64,
    new_hash: &str,
    now: i64,
) -> Result<Option<i64>, sqlx::Error> {
    let row = sqlx::query(
        "UPDATE users SET password_hash = $1, password_changed_at = $2, updated_at = $2, \
         session_epoch = session_epoch + 1, email_verified_at = COALESCE(email_verified_at, $2) \
         WHERE id = $3 RETURNING session_epoch",
    )
    .bind(new_hash)
    .bind(now)
    .bind(id)
    .fetch_optional(conn)
    .await?;
    row.map(|r| r.try_get("session_epoch")).transpose()
}

/// Marks the address proven; the first proof's time is kept.
pub async fn mark_email_verified(
    conn: &mut AnyConnection,
    id: i64,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE users SET email_verified_at = COALESCE(email_verified_at, $1) WHERE id = $2",
    )
    .bind(now)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}
