//! Accounts, memberships, workspaces, invitations and the account activity log.
//!
//! Every function that reads or changes something inside an account takes the account id
//! and filters by it, so an id from another account matches nothing.

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::Db;

pub use crate::accounts::activity::Activity;
pub use crate::accounts::AccountInfo;

#[derive(Debug, Clone)]
pub struct Account {
    pub id: i64,
    pub info: AccountInfo,
    pub created_at: i64,
}

#[derive(Debug, Clone)]
pub struct AccountSummary {
    pub id: i64,
    pub name: String,
    pub role: String,
    pub members: i64,
    pub workspaces: i64,
}

#[derive(Debug, Clone)]
pub struct Member {
    pub user_id: i64,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub role: String,
    pub joined_at: i64,
}

#[derive(Debug, Clone)]
pub struct Workspace {
    pub id: i64,
    pub account_id: i64,
    pub account_name: String,
    pub name: String,
    pub created_at: i64,
}

#[derive(Debug, Clone)]
pub struct Invitation {
    pub id: i64,
    pub account_id: i64,
    pub account_name: String,
    pub email: String,
    pub role: String,
    pub invited_by: String,
    pub sent_at: i64,
    pub expires_at: i64,
    pub status: String,
}

#[derive(Debug, Clone)]
pub struct Event {
    pub actor: String,
    pub kind: String,
    pub detail: String,
    pub created_at: i64,
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
    let id: i64 = sqlx::query(
        "INSERT INTO accounts (name, created_at, updated_at) VALUES ($1, $2, $2) RETURNING id",
    )
    .bind(name)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?
    .try_get("id")?;
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
pub async fn role_of(
    db: &Db,
    account_id: i64,
    user_id: i64,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query("SELECT role FROM memberships WHERE account_id = $1 AND user_id = $2")
        .bind(account_id)
        .bind(user_id)
        .fetch_optional(db)
        .await?
        .map(|r| r.try_get("role"))
        .transpose()
}

pub async fn for_user(db: &Db, user_id: i64) -> Result<Vec<AccountSummary>, sqlx::Error> {
    sqlx::query(
        "SELECT a.id, a.name, m.role, \
           (SELECT COUNT(*) FROM memberships x WHERE x.account_id = a.id) AS members, \
           (SELECT COUNT(*) FROM workspaces w WHERE w.account_id = a.id) AS workspaces \
         FROM accounts a JOIN memberships m ON m.account_id = a.id \
         WHERE m.user_id = $1 ORDER BY a.name, a.id",
    )
    .bind(user_id)
    .fetch_all(db)
    .await?
    .iter()
    .map(|r| {
        Ok(AccountSummary {
            id: r.try_get("id")?,
            name: r.try_get("name")?,
            role: r.try_get("role")?,
            members: r.try_get("members")?,
            workspaces: r.try_get("workspaces")?,
        })
    })
    .collect()
}

fn account_from_row(r: &AnyRow) -> Result<Account, sqlx::Error> {
    Ok(Account {
        id: r.try_get("id")?,
        info: AccountInfo {
            name: r.try_get("name")?,
            company_name: r.try_get("company_name")?,
            contact_email: r.try_get("contact_email")?,
            phone: r.try_get("phone")?,
            address: r.try_get("address")?,
            country: r.try_get("country")?,
            tax_id: r.try_get("tax_id")?,
        },
        created_at: r.try_get("created_at")?,
    })
}

pub async fn get(db: &Db, id: i64) -> Result<Option<Account>, sqlx::Error> {
    sqlx::query(
        "SELECT id, name, company_name, contact_email, phone, address, country, tax_id, created_at \
         FROM accounts WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(db)
    .await?
    .as_ref()
    .map(account_from_row)
    .transpose()
}

pub async fn update_info(
    db: &Db,
    id: i64,
    info: &AccountInfo,
    actor: i64,
    now: i64,
) -> Result<(), sqlx::Error> {
    let mut tx = crate::db::begin_write(db).await?;
    sqlx::query(
        "UPDATE accounts SET name = $1, company_name = $2, contact_email = $3, phone = $4, \
           address = $5, country = $6, tax_id = $7, updated_at = $8 WHERE id = $9",
    )
    .bind(&info.name)
    .bind(&info.company_name)
    .bind(&info.contact_email)
    .bind(&info.phone)
    .bind(&info.address)
    .bind(&info.country)
    .bind(&info.tax_id)
    .bind(now)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    record_in(
        &mut tx,
        id,
        Some(actor),
        Activity::AccountEdited,
        &info.name,
        now,
    )
    .await?;
    tx.commit().await
}

pub async fn members(db: &Db, account_id: i64) -> Result<Vec<Member>, sqlx::Error> {
    sqlx::query(
        "SELECT u.id, u.first_name, u.last_name, u.email, m.role, m.joined_at \
         FROM memberships m JOIN users u ON u.id = m.user_id \
         WHERE m.account_id = $1 ORDER BY m.joined_at, u.id",
    )
    .bind(account_id)
    .fetch_all(db)
    .await?
    .iter()
    .map(|r| {
        Ok(Member {
            user_id: r.try_get("id")?,
            first_name: r.try_get("first_name")?,
            last_name: r.try_get("last_name")?,
            email: r.try_get("email")?,
            role: r.try_get("role")?,
            joined_at: r.try_get("joined_at")?,
        })
    })
    .collect()
}

/// How a membership change ended.
#[derive(Debug, PartialEq, Eq)]
pub enum MemberChange {
    Done,
    NotMember,
    LastOwner,
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

/// The user's role, read under the account's write lock: a role change or removal that
/// commits meanwhile waits for this transaction, so what it writes next is still the user's to
/// write (an invitation they may grant).
pub async fn locked_role_of(
    conn: &mut AnyConnection,
    account_id: i64,
    user_id: i64,
) -> Result<Option<String>, sqlx::Error> {
    lock_account(conn, account_id).await?;
    sqlx::query("SELECT role FROM memberships WHERE account_id = $1 AND user_id = $2")
        .bind(account_id)
        .bind(user_id)
        .fetch_optional(&mut *conn)
        .await?
        .map(|r| r.try_get("role"))
        .transpose()
}

async fn is_last_owner(
    conn: &mut AnyConnection,
    account_id: i64,
    user_id: i64,
) -> Result<Option<bool>, sqlx::Error> {
    let Some(role) =
        sqlx::query("SELECT role FROM memberships WHERE account_id = $1 AND user_id = $2")
            .bind(account_id)
            .bind(user_id)
            .fetch_optional(&mut *conn)
            .await?
            .map(|r| r.try_get::<String, _>("role"))
            .transpose()?
    else {
        return Ok(None);
    };
    if role != "owner" {
        return Ok(Some(false));
    }
    let owners: i64 = sqlx::query(
        "SELECT COUNT(*) AS n FROM memberships WHERE account_id = $1 AND role = 'owner'",
    )
    .bind(account_id)
    .fetch_one(&mut *conn)
    .await?
    .try_get("n")?;
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

/// Revokes the pending invitations `inviter` sent (only those for `role`, if given), with
/// an activity entry each: an invitation is only as good as its inviter's right to send it.
async fn revoke_sent_by(
    conn: &mut AnyConnection,
    account_id: i64,
    inviter: i64,
    role: Option<&str>,
    actor: i64,
    now: i64,
) -> Result<(), sqlx::Error> {
    const REVOKE: &str = "UPDATE invitations SET status = 'revoked', answered_at = $1 \
         WHERE account_id = $2 AND invited_by = $3 AND status = 'pending'";
    let statement = match role {
        Some(_) => format!("{REVOKE} AND role = $4 RETURNING email"),
        None => format!("{REVOKE} RETURNING email"),
    };
    let mut query = sqlx::query(&statement)
        .bind(now)
        .bind(account_id)
        .bind(inviter);
    if let Some(role) = role {
        query = query.bind(role);
    }
    let emails: Vec<String> = query
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| r.try_get("email"))
        .collect::<Result<_, _>>()?;
    for email in emails {
        record_in(
            conn,
            account_id,
            Some(actor),
            Activity::InvitationRevoked,
            &email,
            now,
        )
        .await?;
    }
    Ok(())
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

fn workspace_from_row(r: &AnyRow) -> Result<Workspace, sqlx::Error> {
    Ok(Workspace {
        id: r.try_get("id")?,
        account_id: r.try_get("account_id")?,
        account_name: r.try_get("account_name")?,
        name: r.try_get("name")?,
        created_at: r.try_get("created_at")?,
    })
}

pub async fn workspaces(db: &Db, account_id: i64) -> Result<Vec<Workspace>, sqlx::Error> {
    sqlx::query(
        "SELECT w.id, w.account_id, a.name AS account_name, w.name, w.created_at \
         FROM workspaces w JOIN accounts a ON a.id = w.account_id \
         WHERE w.account_id = $1 ORDER BY w.name_key, w.id",
    )
    .bind(account_id)
    .fetch_all(db)
    .await?
    .iter()
    .map(workspace_from_row)
    .collect()
}

/// Every workspace of every account the user belongs to, grouped by account name.
pub async fn workspaces_for_user(db: &Db, user_id: i64) -> Result<Vec<Workspace>, sqlx::Error> {
    sqlx::query(
        "SELECT w.id, w.account_id, a.name AS account_name, w.name, w.created_at \
         FROM workspaces w JOIN accounts a ON a.id = w.account_id \
         JOIN memberships m ON m.account_id = w.account_id \
         WHERE m.user_id = $1 ORDER BY a.name, a.id, w.name_key, w.id",
    )
    .bind(user_id)
    .fetch_all(db)
    .await?
    .iter()
    .map(workspace_from_row)
    .collect()
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
    let Some(old) = sqlx::query("SELECT name FROM workspaces WHERE id = $1 AND account_id = $2")
        .bind(id)
        .bind(account_id)
        .fetch_optional(&mut *tx)
        .await?
        .map(|r| r.try_get::<String, _>("name"))
        .transpose()?
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
    let Some(row) =
        sqlx::query("DELETE FROM workspaces WHERE id = $1 AND account_id = $2 RETURNING name")
            .bind(id)
            .bind(account_id)
            .fetch_optional(&mut *tx)
            .await?
    else {
        return Ok(false);
    };
    let name: String = row.try_get("name")?;
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

const INVITATION_COLUMNS: &str = "i.id, i.account_id, a.name AS account_name, i.email, i.role, \
    COALESCE(u.first_name || ' ' || u.last_name, '') AS invited_by, i.sent_at, i.expires_at, i.status";
const INVITATION_FROM: &str = "FROM invitations i JOIN accounts a ON a.id = i.account_id \
    LEFT JOIN users u ON u.id = i.invited_by";

fn invitation_from_row(r: &AnyRow) -> Result<Invitation, sqlx::Error> {
    Ok(Invitation {
        id: r.try_get("id")?,
        account_id: r.try_get("account_id")?,
        account_name: r.try_get("account_name")?,
        email: r.try_get("email")?,
        role: r.try_get("role")?,
        invited_by: r.try_get("invited_by")?,
        sent_at: r.try_get("sent_at")?,
        expires_at: r.try_get("expires_at")?,
        status: r.try_get("status")?,
    })
}

pub async fn pending_invitations(
    db: &Db,
    account_id: i64,
    now: i64,
) -> Result<Vec<Invitation>, sqlx::Error> {
    sqlx::query(&format!(
        "SELECT {INVITATION_COLUMNS} {INVITATION_FROM} \
         WHERE i.account_id = $1 AND i.status = 'pending' AND i.expires_at > $2 ORDER BY i.id"
    ))
    .bind(account_id)
    .bind(now)
    .fetch_all(db)
    .await?
    .iter()
    .map(invitation_from_row)
    .collect()
}

pub async fn invitations_to(
    db: &Db,
    email: &str,
    now: i64,
) -> Result<Vec<Invitation>, sqlx::Error> {
    sqlx::query(&format!(
        "SELECT {INVITATION_COLUMNS} {INVITATION_FROM} \
         WHERE i.email = $1 AND i.status = 'pending' AND i.expires_at > $2 ORDER BY i.id"
    ))
    .bind(email)
    .bind(now)
    .fetch_all(db)
    .await?
    .iter()
    .map(invitation_from_row)
    .collect()
}

pub async fn invitation_by_token(
    db: &Db,
    token_hash: &str,
) -> Result<Option<Invitation>, sqlx::Error> {
    sqlx::query(&format!(
        "SELECT {INVITATION_COLUMNS} {INVITATION_FROM} WHERE i.token_hash = $1"
    ))
    .bind(token_hash)
    .fetch_optional(db)
    .await?
    .as_ref()
    .map(invitation_from_row)
    .transpose()
}

pub async fn invitation_by_id(db: &Db, id: i64) -> Result<Option<Invitation>, sqlx::Error> {
    sqlx::query(&format!(
        "SELECT {INVITATION_COLUMNS} {INVITATION_FROM} WHERE i.id = $1"
    ))
    .bind(id)
    .fetch_optional(db)
    .await?
    .as_ref()
    .map(invitation_from_row)
    .transpose()
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

pub async fn has_pending_invitation(
    db: &Db,
    account_id: i64,
    email: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query(
        "SELECT 1 AS one FROM invitations \
         WHERE account_id = $1 AND email = $2 AND status = 'pending' AND expires_at > $3",
    )
    .bind(account_id)
    .bind(email)
    .bind(now)
    .fetch_optional(db)
    .await?
    .is_some())
}

pub struct NewInvitation<'a> {
    pub account_id: i64,
    pub email: &'a str,
    pub role: &'a str,
    pub token_hash: &'a str,
    pub invited_by: i64,
    pub now: i64,
    pub expires_at: i64,
}

/// Part of the caller's transaction, which also queues the invitation mail.
pub async fn insert_invitation(
    conn: &mut AnyConnection,
    new: &NewInvitation<'_>,
) -> Result<i64, sqlx::Error> {
    let id: i64 = sqlx::query(
        "INSERT INTO invitations (account_id, email, role, token_hash, invited_by, created_at, \
           sent_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $6, $7) RETURNING id",
    )
    .bind(new.account_id)
    .bind(new.email)
    .bind(new.role)
    .bind(new.token_hash)
    .bind(new.invited_by)
    .bind(new.now)
    .bind(new.expires_at)
    .fetch_one(&mut *conn)
    .await?
    .try_get("id")?;
    let detail = format!("{} as {}", new.email, new.role);
    record_in(
        conn,
        new.account_id,
        Some(new.invited_by),
        Activity::InvitationSent,
        &detail,
        new.now,
    )
    .await?;
    Ok(id)
}

/// A new token for a pending invitation (resend): the old link stops working. Part of the
/// caller's transaction.
pub async fn rotate_token(
    conn: &mut AnyConnection,
    account_id: i64,
    id: i64,
    token_hash: &str,
    actor: i64,
    now: i64,
    expires_at: i64,
) -> Result<Option<String>, sqlx::Error> {
    let Some(row) = sqlx::query(
        "UPDATE invitations SET token_hash = $1, sent_at = $2, expires_at = $3 \
         WHERE id = $4 AND account_id = $5 AND status = 'pending' RETURNING email",
    )
    .bind(token_hash)
    .bind(now)
    .bind(expires_at)
    .bind(id)
    .bind(account_id)
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(None);
    };
    let email: String = row.try_get("email")?;
    record_in(
        conn,
        account_id,
        Some(actor),
        Activity::InvitationResent,
        &email,
        now,
    )
    .await?;
    Ok(Some(email))
}

/// How a pending invitation can end without being accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Closing {
    Revoked,
    Declined,
}

impl Closing {
    fn status(self) -> &'static str {
        match self {
            Closing::Revoked => "revoked",
            Closing::Declined => "declined",
        }
    }

    fn activity(self) -> Activity {
        match self {
            Closing::Revoked => Activity::InvitationRevoked,
            Closing::Declined => Activity::InvitationDeclined,
        }
    }
}

/// Ends a pending invitation; false when it was not pending.
pub async fn close_invitation(
    db: &Db,
    account_id: i64,
    id: i64,
    closing: Closing,
    actor: Option<i64>,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let mut tx = crate::db::begin_write(db).await?;
    let Some(row) = sqlx::query(
        "UPDATE invitations SET status = $1, answered_at = $2 \
         WHERE id = $3 AND account_id = $4 AND status = 'pending' RETURNING email",
    )
    .bind(closing.status())
    .bind(now)
    .bind(id)
    .bind(account_id)
    .fetch_optional(&mut *tx)
    .await?
    else {
        return Ok(false);
    };
    let email: String = row.try_get("email")?;
    record_in(&mut tx, account_id, actor, closing.activity(), &email, now).await?;
    tx.commit().await?;
    Ok(true)
}

/// Accepting in one transaction: the invitation is consumed (only while pending and
/// unexpired, so of two racing requests one wins) and the membership made, or neither.
pub async fn accept_invitation(
    db: &Db,
    id: i64,
    user_id: i64,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let mut tx = crate::db::begin_write(db).await?;
    let accepted = accept_invitation_in(&mut tx, id, user_id, now).await?;
    if accepted {
        tx.commit().await?;
    }
    Ok(accepted)
}

/// [`accept_invitation`] as part of the caller's transaction (sign-up from an invitation:
/// the person and their membership commit together). False, with nothing written, when the
/// invitation was no longer pending.
pub async fn accept_invitation_in(
    tx: &mut AnyConnection,
    id: i64,
    user_id: i64,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let Some(row) = sqlx::query(
        "UPDATE invitations SET status = 'accepted', answered_at = $1 \
         WHERE id = $2 AND status = 'pending' AND expires_at > $1 RETURNING account_id, role, email",
    )
    .bind(now)
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?
    else {
        return Ok(false);
    };
    let account_id: i64 = row.try_get("account_id")?;
    let role: String = row.try_get("role")?;
    let email: String = row.try_get("email")?;
    let already =
        sqlx::query("SELECT 1 AS one FROM memberships WHERE account_id = $1 AND user_id = $2")
            .bind(account_id)
            .bind(user_id)
            .fetch_optional(&mut *tx)
            .await?
            .is_some();
    if !already {
        sqlx::query(
            "INSERT INTO memberships (account_id, user_id, role, joined_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(account_id)
        .bind(user_id)
        .bind(&role)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    // The token was mailed to the invited address, which is the accepting person's: that
    // proves it.
    sqlx::query(
        "UPDATE users SET email_verified_at = COALESCE(email_verified_at, $1) \
         WHERE id = $2 AND email = $3",
    )
    .bind(now)
    .bind(user_id)
    .bind(&email)
    .execute(&mut *tx)
    .await?;
    let detail = format!("{email} as {role}");
    record_in(
        tx,
        account_id,
        Some(user_id),
        Activity::InvitationAccepted,
        &detail,
        now,
    )
    .await?;
    Ok(true)
}

pub async fn record_in(
    conn: &mut AnyConnection,
    account_id: i64,
    actor: Option<i64>,
    activity: Activity,
    detail: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO account_events (account_id, actor_id, kind, detail, created_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(account_id)
    .bind(actor)
    .bind(activity.as_str())
    .bind(detail)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn events(db: &Db, account_id: i64, limit: i64) -> Result<Vec<Event>, sqlx::Error> {
    sqlx::query(
        "SELECT COALESCE(u.first_name || ' ' || u.last_name, '') AS actor, e.kind, e.detail, \
           e.created_at FROM account_events e LEFT JOIN users u ON u.id = e.actor_id \
         WHERE e.account_id = $1 ORDER BY e.id DESC LIMIT $2",
    )
    .bind(account_id)
    .bind(limit)
    .fetch_all(db)
    .await?
    .iter()
    .map(|r| {
        Ok(Event {
            actor: r.try_get("actor")?,
            kind: r.try_get("kind")?,
            detail: r.try_get("detail")?,
            created_at: r.try_get("created_at")?,
        })
    })
    .collect()
}
