//! The members of an account and their roles.

use sqlx::AnyConnection;

use crate::db::Db;

use super::activity::{record_in, Activity};
use super::invitations::revoke_sent_by;
use super::lock_account;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Member {
    #[sqlx(rename = "id")]
    pub user_id: i64,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub role: String,
    pub joined_at: i64,
}

pub async fn members(db: &Db, account_id: i64) -> Result<Vec<Member>, sqlx::Error> {
    sqlx::query_as(
        "SELECT u.id, u.first_name, u.last_name, u.email, m.role, m.joined_at \
         FROM memberships m JOIN users u ON u.id = m.user_id \
         WHERE m.account_id = $1 ORDER BY m.joined_at, u.id",
    )
    .bind(account_id)
    .fetch_all(db)
    .await
}

pub async fn is_member_email(db: &Db, account_id: i64, email: &str) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query(
        "SELECT 1 AS one FROM memberships m JOIN users u ON u.id = m.user_id \
         WHERE m.account_id = $1 AND u.email = $2",
    )
    .bind(account_id)
    .bind(email)
    .fetch_optional(db)
    .await?
    .is_some())
}

/// How a membership change ended.
#[derive(Debug, PartialEq, Eq)]
pub enum MemberChange {
    Done,
    NotMember,
    LastOwner,
}

/// The user's role, read under the account's write lock: a role change or removal that
/// commits meanwhile waits for this transaction, so what it writes next is still the user's to
/// write (an invitation they may grant).
pub async fn locked_role_of(
    conn: &mut AnyConnection,
    account_id: i64,
    user_id: i64,
) -> Result<Option<String>, sqlx::Error> {
    lock_account(conn, account_id).await?;
    super::role_of(&mut *conn, account_id, user_id).await
}

async fn is_last_owner(
    conn: &mut AnyConnection,
    account_id: i64,
    user_id: i64,
) -> Result<Option<bool>, sqlx::Error> {
    let Some(role) = super::role_of(&mut *conn, account_id, user_id).await? else {
        return Ok(None);
    };
    if role != "owner" {
        return Ok(Some(false));
    }
    let owners: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) AS n FROM memberships WHERE account_id = $1 AND role = 'owner'",
    )
    .bind(account_id)
    .fetch_one(&mut *conn)
    .await?;
    Ok(Some(owners <= 1))
}

/// Changes a member's role; their pending invitations for `revoke_roles` (those the new
/// role may not grant) are revoked in the same transaction.
#[allow(clippy::too_many_arguments)]
pub async fn set_role(
    db: &Db,
    account_id: i64,
    user_id: i64,
    role: &str,
    revoke_roles: &[&str],
    actor: i64,
    detail: &str,
    now: i64,
) -> Result<MemberChange, sqlx::Error> {
    let mut tx = crate::db::begin_write(db).await?;
    lock_account(&mut tx, account_id).await?;
    match is_last_owner(&mut tx, account_id, user_id).await? {
        None => return Ok(MemberChange::NotMember),
        Some(true) if role != "owner" => return Ok(MemberChange::LastOwner),
        _ => {}
    }
    sqlx::query("UPDATE memberships SET role = $1 WHERE account_id = $2 AND user_id = $3")
        .bind(role)
        .bind(account_id)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    record_in(
        &mut tx,
        account_id,
        Some(actor),
        Activity::RoleChanged,
        detail,
        now,
    )
    .await?;
    for role in revoke_roles {
        revoke_sent_by(&mut tx, account_id, user_id, Some(role), actor, now).await?;
    }
    tx.commit().await?;
    Ok(MemberChange::Done)
}

pub async fn remove_member(
    db: &Db,
    account_id: i64,
    user_id: i64,
    actor: i64,
    detail: &str,
    now: i64,
) -> Result<MemberChange, sqlx::Error> {
    let mut tx = crate::db::begin_write(db).await?;
    lock_account(&mut tx, account_id).await?;
    match is_last_owner(&mut tx, account_id, user_id).await? {
        None => return Ok(MemberChange::NotMember),
        Some(true) => return Ok(MemberChange::LastOwner),
        Some(false) => {}
    }
    sqlx::query("DELETE FROM memberships WHERE account_id = $1 AND user_id = $2")
        .bind(account_id)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    record_in(
        &mut tx,
        account_id,
        Some(actor),
        Activity::MemberRemoved,
        detail,
        now,
    )
    .await?;
    // Whoever leaves takes their pending invitations with them.
    revoke_sent_by(&mut tx, account_id, user_id, None, actor, now).await?;
    tx.commit().await?;
    Ok(MemberChange::Done)
}
