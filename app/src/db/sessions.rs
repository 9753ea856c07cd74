//! The `user_sessions` table: one row per signed-in session, for the person's list of where
//! they are signed in. The session record itself is tower-sessions'.

use super::Db;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRow {
    pub id_hash: String,
    pub user_id: i64,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub expires_at: i64,
    pub user_agent: Option<String>,
    pub client_addr: Option<String>,
    pub method: String,
    pub ended_at: Option<i64>,
}

const COLUMNS: &str = "id_hash, user_id, created_at, last_seen_at, expires_at, user_agent, \
    client_addr, method, ended_at";

pub struct NewSession<'a> {
    pub id_hash: &'a str,
    pub user_id: i64,
    pub created_at: i64,
    pub now: i64,
    pub expires_at: i64,
    pub user_agent: Option<&'a str>,
    pub client_addr: Option<&'a str>,
    pub method: &'a str,
}

/// On `conn`: a sign-in's transaction, with its history entry.
pub async fn insert(
    conn: &mut sqlx::AnyConnection,
    session: &NewSession<'_>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO user_sessions (id_hash, user_id, created_at, last_seen_at, expires_at, \
         user_agent, client_addr, method) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(session.id_hash)
    .bind(session.user_id)
    .bind(session.created_at)
    .bind(session.now)
    .bind(session.expires_at)
    .bind(session.user_agent)
    .bind(session.client_addr)
    .bind(session.method)
    .execute(conn)
    .await?;
    Ok(())
}

/// The row of a session from before the list, if its person still exists with the same
/// `epoch` (a password change since ended it) and it is not listed yet. True when inserted.
pub async fn insert_from_before(
    db: &Db,
    session: &NewSession<'_>,
    epoch: i64,
) -> Result<bool, sqlx::Error> {
    // `WHERE` before `ON CONFLICT` also keeps SQLite's parser from reading the latter as a
    // join constraint.
    Ok(sqlx::query(
        "INSERT INTO user_sessions (id_hash, user_id, created_at, last_seen_at, expires_at, \
         user_agent, client_addr, method) \
         SELECT $1, $2, $3, $4, $5, $6, $7, $8 \
         WHERE EXISTS (SELECT 1 FROM users WHERE id = $2 AND session_epoch = $9) \
         ON CONFLICT (id_hash) DO NOTHING",
    )
    .bind(session.id_hash)
    .bind(session.user_id)
    .bind(session.created_at)
    .bind(session.now)
    .bind(session.expires_at)
    .bind(session.user_agent)
    .bind(session.client_addr)
    .bind(session.method)
    .bind(epoch)
    .execute(db)
    .await?
    .rows_affected()
        > 0)
}

/// Whether the sessions from before this table still wait to be listed (once, by the first
/// server to start after the upgrade; the migration leaves the marker).
pub async fn from_before_pending(db: &Db) -> Result<bool, sqlx::Error> {
    let row: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM sessions_to_list")
        .fetch_one(db)
        .await?;
    Ok(row.0 > 0)
}

pub async fn from_before_listed(db: &Db) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions_to_list")
        .execute(db)
        .await?;
    Ok(())
}

/// A session from before the list takes on its handle: its row is keyed by the handle's hash
/// from now on. False when the row ended meanwhile.
pub async fn adopt(
    db: &Db,
    legacy_id: &str,
    id_hash: &str,
    now: i64,
    expires_at: i64,
    user_agent: Option<&str>,
    client_addr: Option<&str>,
) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query(
        "UPDATE user_sessions SET id_hash = $2, last_seen_at = $3, expires_at = $4, \
         user_agent = $5, client_addr = $6 WHERE id_hash = $1 AND ended_at IS NULL",
    )
    .bind(legacy_id)
    .bind(id_hash)
    .bind(now)
    .bind(expires_at)
    .bind(user_agent)
    .bind(client_addr)
    .execute(db)
    .await?
    .rows_affected()
        > 0)
}

pub async fn find(db: &Db, id_hash: &str) -> Result<Option<SessionRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM user_sessions WHERE id_hash = $1"
    ))
    .bind(id_hash)
    .fetch_optional(db)
    .await
}

/// Activity: when, from where, and until when the session lives now. False when the session
/// has ended (or has no row).
pub async fn touch(
    db: &Db,
    id_hash: &str,
    now: i64,
    expires_at: i64,
    user_agent: Option<&str>,
    client_addr: Option<&str>,
) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query(
        "UPDATE user_sessions SET last_seen_at = $2, expires_at = $3, \
         user_agent = COALESCE($4, user_agent), client_addr = COALESCE($5, client_addr) \
         WHERE id_hash = $1 AND ended_at IS NULL",
    )
    .bind(id_hash)
    .bind(now)
    .bind(expires_at)
    .bind(user_agent)
    .bind(client_addr)
    .execute(db)
    .await?
    .rows_affected()
        > 0)
}

/// The user's live sessions, most recently active first.
pub async fn live(db: &Db, user_id: i64, now: i64) -> Result<Vec<SessionRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM user_sessions \
         WHERE user_id = $1 AND ended_at IS NULL AND expires_at >= $2 \
         ORDER BY last_seen_at DESC, created_at DESC"
    ))
    .bind(user_id)
    .bind(now)
    .fetch_all(db)
    .await
}

/// Ends one live session of `user_id`; the ended row is returned, or `None` when there is
/// no such live session of theirs.
pub async fn end(
    conn: &mut sqlx::AnyConnection,
    user_id: i64,
    id_hash: &str,
    now: i64,
) -> Result<Option<SessionRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "UPDATE user_sessions SET ended_at = $3 \
         WHERE id_hash = $1 AND user_id = $2 AND ended_at IS NULL AND expires_at >= $3 \
         RETURNING {COLUMNS}"
    ))
    .bind(id_hash)
    .bind(user_id)
    .bind(now)
    .fetch_optional(conn)
    .await
}

/// Ends every live session of `user_id` but `keep`; returns how many.
pub async fn end_others(
    conn: &mut sqlx::AnyConnection,
    user_id: i64,
    keep: &str,
    now: i64,
) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query(
        "UPDATE user_sessions SET ended_at = $3 \
         WHERE user_id = $1 AND id_hash <> $2 AND ended_at IS NULL AND expires_at >= $3",
    )
    .bind(user_id)
    .bind(keep)
    .bind(now)
    .execute(conn)
    .await?
    .rows_affected())
}

/// A signed-out session's row (its record is gone with it).
pub async fn remove(conn: &mut sqlx::AnyConnection, id_hash: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM user_sessions WHERE id_hash = $1")
        .bind(id_hash)
        .execute(conn)
        .await?;
    Ok(())
}

/// Deletes the rows of sessions that expired before `now`, ended or not. A live session's
/// `expires_at` is never earlier than its record's own expiry, so no live session loses its
/// row.
pub async fn prune(db: &Db, now: i64) -> Result<u64, sqlx::Error> {
    Ok(
        sqlx::query("DELETE FROM user_sessions WHERE expires_at < $1")
            .bind(now)
            .execute(db)
            .await?
            .rows_affected(),
    )
}
