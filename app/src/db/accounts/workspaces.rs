//! The workspaces of an account.

use crate::db::Db;

use super::activity::{record_in, Activity};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Workspace {
    pub id: i64,
    pub account_id: i64,
    pub account_name: String,
    pub name: String,
    pub created_at: i64,
}

pub async fn workspaces(db: &Db, account_id: i64) -> Result<Vec<Workspace>, sqlx::Error> {
    sqlx::query_as(
        "SELECT w.id, w.account_id, a.name AS account_name, w.name, w.created_at \
         FROM workspaces w JOIN accounts a ON a.id = w.account_id \
         WHERE w.account_id = $1 ORDER BY w.name_key, w.id",
    )
    .bind(account_id)
    .fetch_all(db)
    .await
}

/// Every workspace of every account the user belongs to, grouped by account name.
pub async fn workspaces_for_user(db: &Db, user_id: i64) -> Result<Vec<Workspace>, sqlx::Error> {
    sqlx::query_as(
        "SELECT w.id, w.account_id, a.name AS account_name, w.name, w.created_at \
         FROM workspaces w JOIN accounts a ON a.id = w.account_id \
         JOIN memberships m ON m.account_id = w.account_id \
         WHERE m.user_id = $1 ORDER BY a.name, a.id, w.name_key, w.id",
    )
    .bind(user_id)
    .fetch_all(db)
    .await
}

/// Fails with a unique violation when the account already has a workspace of that name.
pub async fn create_workspace(
    db: &Db,
    account_id: i64,
    name: &str,
    actor: i64,
    now: i64,
) -> Result<(), sqlx::Error> {
    let mut tx = crate::db::begin_write(db).await?;
    sqlx::query(
        "INSERT INTO workspaces (account_id, name, name_key, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(account_id)
    .bind(name)
    .bind(name.to_lowercase())
    .bind(now)
    .execute(&mut *tx)
    .await?;
    record_in(
        &mut tx,
        account_id,
        Some(actor),
        Activity::WorkspaceCreated,
        name,
        now,
    )
    .await?;
    tx.commit().await
}

/// False when the account has no such workspace.
pub async fn rename_workspace(
    db: &Db,
    account_id: i64,
    id: i64,
    name: &str,
    actor: i64,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let mut tx = crate::db::begin_write(db).await?;
    let Some(old): Option<String> =
        sqlx::query_scalar("SELECT name FROM workspaces WHERE id = $1 AND account_id = $2")
            .bind(id)
            .bind(account_id)
            .fetch_optional(&mut *tx)
            .await?
    else {
        return Ok(false);
    };
    sqlx::query("UPDATE workspaces SET name = $1, name_key = $2 WHERE id = $3 AND account_id = $4")
        .bind(name)
        .bind(name.to_lowercase())
        .bind(id)
        .bind(account_id)
        .execute(&mut *tx)
        .await?;
    let detail = format!("\u{201c}{old}\u{201d} is now \u{201c}{name}\u{201d}");
    record_in(
        &mut tx,
        account_id,
        Some(actor),
        Activity::WorkspaceRenamed,
        &detail,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

pub async fn delete_workspace(
    db: &Db,
    account_id: i64,
    id: i64,
    actor: i64,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let mut tx = crate::db::begin_write(db).await?;
    let Some(name): Option<String> = sqlx::query_scalar(
        "DELETE FROM workspaces WHERE id = $1 AND account_id = $2 RETURNING name",
    )
    .bind(id)
    .bind(account_id)
    .fetch_optional(&mut *tx)
    .await?
    else {
        return Ok(false);
    };
    record_in(
        &mut tx,
        account_id,
        Some(actor),
        Activity::WorkspaceDeleted,
        &name,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}
