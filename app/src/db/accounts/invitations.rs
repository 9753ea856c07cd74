//! Invitations to join an account: sent, re-sent, revoked, declined or accepted.

use sqlx::AnyConnection;

use crate::db::Db;

use super::activity::{record_in, Activity};

#[derive(Debug, Clone, sqlx::FromRow)]
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

const INVITATION_COLUMNS: &str = "i.id, i.account_id, a.name AS account_name, i.email, i.role, \
    COALESCE(u.first_name || ' ' || u.last_name, '') AS invited_by, i.sent_at, i.expires_at, i.status";
const INVITATION_FROM: &str = "FROM invitations i JOIN accounts a ON a.id = i.account_id \
    LEFT JOIN users u ON u.id = i.invited_by";

pub async fn pending_invitations(
    db: &Db,
    account_id: i64,
    now: i64,
) -> Result<Vec<Invitation>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {INVITATION_COLUMNS} {INVITATION_FROM} \
         WHERE i.account_id = $1 AND i.status = 'pending' AND i.expires_at > $2 ORDER BY i.id"
    ))
    .bind(account_id)
    .bind(now)
    .fetch_all(db)
    .await
}

pub async fn invitations_to(
    db: &Db,
    email: &str,
    now: i64,
) -> Result<Vec<Invitation>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {INVITATION_COLUMNS} {INVITATION_FROM} \
         WHERE i.email = $1 AND i.status = 'pending' AND i.expires_at > $2 ORDER BY i.id"
    ))
    .bind(email)
    .bind(now)
    .fetch_all(db)
    .await
}

pub async fn invitation_by_token(
    db: &Db,
    token_hash: &str,
) -> Result<Option<Invitation>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {INVITATION_COLUMNS} {INVITATION_FROM} WHERE i.token_hash = $1"
    ))
    .bind(token_hash)
    .fetch_optional(db)
    .await
}

pub async fn invitation_by_id(db: &Db, id: i64) -> Result<Option<Invitation>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {INVITATION_COLUMNS} {INVITATION_FROM} WHERE i.id = $1"
    ))
    .bind(id)
    .fetch_optional(db)
    .await
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
    let id: i64 = sqlx::query_scalar(
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
    .await?;
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
    let Some(email): Option<String> = sqlx::query_scalar(
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
    let Some(email): Option<String> = sqlx::query_scalar(
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
    let Some((account_id, role, email)): Option<(i64, String, String)> = sqlx::query_as(
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

/// Revokes the pending invitations `inviter` sent (only those for `role`, if given), with
/// an activity entry each: an invitation is only as good as its inviter's right to send it.
pub(super) async fn revoke_sent_by(
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
    let mut query = sqlx::query_scalar(&statement)
        .bind(now)
        .bind(account_id)
        .bind(inviter);
    if let Some(role) = role {
        query = query.bind(role);
    }
    let emails: Vec<String> = query.fetch_all(&mut *conn).await?;
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
