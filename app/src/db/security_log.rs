//! The `security_events` table: what happened to the way a person signs in.

use sqlx::{AnyConnection, Row};

use super::Db;

#[derive(Debug, Clone)]
pub struct Event {
    pub kind: String,
    pub detail: String,
    pub client_addr: Option<String>,
    pub created_at: i64,
}

/// On `conn`: a transaction's connection when the event belongs to a change.
pub async fn record(
    conn: &mut AnyConnection,
    user_id: i64,
    kind: &str,
    detail: &str,
    client_addr: Option<&str>,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO security_events (user_id, kind, detail, client_addr, created_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(user_id)
    .bind(kind)
    .bind(detail)
    .bind(client_addr)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// The user's newest events first.
pub async fn recent(db: &Db, user_id: i64, limit: i64) -> Result<Vec<Event>, sqlx::Error> {
    sqlx::query(
        "SELECT kind, detail, client_addr, created_at FROM security_events \
         WHERE user_id = $1 ORDER BY id DESC LIMIT $2",
    )
    .bind(user_id)
    .bind(limit)
    .fetch_all(db)
    .await?
    .iter()
    .map(|row| {
        Ok(Event {
            kind: row.try_get("kind")?,
            detail: row.try_get("detail")?,
            client_addr: row.try_get("client_addr")?,
            created_at: row.try_get("created_at")?,
        })
    })
    .collect()
}
