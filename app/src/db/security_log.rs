//! The `security_events` table: what happened to the way a person signs in.

use sqlx::AnyConnection;

use super::Db;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Event {
    pub id: i64,
    pub kind: String,
    pub detail: String,
    pub client_addr: Option<String>,
    pub user_agent: Option<String>,
    pub created_at: i64,
}

pub struct NewEvent<'a> {
    pub user_id: i64,
    pub kind: &'a str,
    pub detail: &'a str,
    pub client_addr: Option<&'a str>,
    pub user_agent: Option<&'a str>,
    pub now: i64,
}

/// On `conn`: a transaction's connection when the event belongs to a change.
pub async fn record(conn: &mut AnyConnection, event: &NewEvent<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO security_events (user_id, kind, detail, client_addr, user_agent, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(event.user_id)
    .bind(event.kind)
    .bind(event.detail)
    .bind(event.client_addr)
    .bind(event.user_agent)
    .bind(event.now)
    .execute(conn)
    .await?;
    Ok(())
}

/// The user's events newest first, older than the event `before` if given: at most `limit`.
pub async fn page(
    db: &Db,
    user_id: i64,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<Event>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, kind, detail, client_addr, user_agent, created_at FROM security_events \
         WHERE user_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3",
    )
    .bind(user_id)
    .bind(before.unwrap_or(i64::MAX))
    .bind(limit)
    .fetch_all(db)
    .await
}

/// Deletes the events recorded before `cutoff`.
pub async fn prune(db: &Db, cutoff: i64) -> Result<u64, sqlx::Error> {
    Ok(
        sqlx::query("DELETE FROM security_events WHERE created_at < $1")
            .bind(cutoff)
            .execute(db)
            .await?
            .rows_affected(),
    )
}
