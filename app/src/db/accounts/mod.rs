//! Accounts and what belongs to them, one module each: the account's information, its
//! workspaces, members and invitations, and the activity log they all write to. Here: making
//! an account, the accounts a user belongs to and their role in one.
//!
//! Every function that reads or changes something inside an account takes the account id
//! and filters by it, so an id from another account matches nothing.

pub mod activity;
pub mod information;
pub mod invitations;
pub mod members;
pub mod workspaces;

use sqlx::AnyConnection;

use super::Db;
use activity::{record_in, Activity};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AccountSummary {
    pub id: i64,
    pub name: String,
    pub role: String,
    pub members: i64,
    pub workspaces: i64,
}

/// Creates an account with its owner and first workspace, on `conn` (a transaction's
/// connection when part of a larger change, like sign-up).
pub async fn create_in(
    conn: &mut AnyConnection,
    owner_id: i64,
    name: &str,
    workspace: &str,
    now: i64,
) -> Result<i64, sqlx::Error> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO accounts (name, created_at, updated_at) VALUES ($1, $2, $2) RETURNING id",
    )
    .bind(name)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO memberships (account_id, user_id, role, joined_at) VALUES ($1, $2, 'owner', $3)",
    )
    .bind(id)
    .bind(owner_id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO workspaces (account_id, name, name_key, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(id)
    .bind(workspace)
    .bind(workspace.to_lowercase())
    .bind(now)
    .execute(&mut *conn)
    .await?;
    record_in(
        conn,
        id,
        Some(owner_id),
        Activity::AccountCreated,
        name,
        now,
    )
    .await?;
    Ok(id)
}

pub async fn create(
    db: &Db,
    owner_id: i64,
    name: &str,
    workspace: &str,
    now: i64,
) -> Result<i64, sqlx::Error> {
    let mut tx = crate::db::begin_write(db).await?;
    let id = create_in(&mut tx, owner_id, name, workspace, now).await?;
    tx.commit().await?;
    Ok(id)
}

/// The user's role in the account, or `None` when they are not a member.
pub async fn role_of<'e>(
    db: impl sqlx::Executor<'e, Database = sqlx::Any>,
    account_id: i64,
    user_id: i64,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT role FROM memberships WHERE account_id = $1 AND user_id = $2")
        .bind(account_id)
        .bind(user_id)
        .fetch_optional(db)
        .await
}

pub async fn for_user(db: &Db, user_id: i64) -> Result<Vec<AccountSummary>, sqlx::Error> {
    sqlx::query_as(
        "SELECT a.id, a.name, m.role, \
           (SELECT COUNT(*) FROM memberships x WHERE x.account_id = a.id) AS members, \
           (SELECT COUNT(*) FROM workspaces w WHERE w.account_id = a.id) AS workspaces \
         FROM accounts a JOIN memberships m ON m.account_id = a.id \
         WHERE m.user_id = $1 ORDER BY a.name, a.id",
    )
    .bind(user_id)
    .fetch_all(db)
    .await
}

/// Serialises changes to the account's members: both engines take a write lock on the
/// account row, so two owners cannot demote each other at the same time.
async fn lock_account(conn: &mut AnyConnection, account_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE accounts SET updated_at = updated_at WHERE id = $1")
        .bind(account_id)
        .execute(conn)
        .await?;
    Ok(())
}
