//! What the account activity log records. The stored `kind` is `as_str()`, so the names
//! below are part of the database's contents: add new ones, never rename old ones.

use sqlx::AnyConnection;

use crate::db::Db;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activity {
    AccountCreated,
    AccountEdited,
    WorkspaceCreated,
    WorkspaceRenamed,
    WorkspaceDeleted,
    InvitationSent,
    InvitationResent,
    InvitationRevoked,
    InvitationDeclined,
    InvitationAccepted,
    RoleChanged,
    MemberRemoved,
}

impl Activity {
    pub const ALL: [Activity; 12] = [
        Activity::AccountCreated,
        Activity::AccountEdited,
        Activity::WorkspaceCreated,
        Activity::WorkspaceRenamed,
        Activity::WorkspaceDeleted,
        Activity::InvitationSent,
        Activity::InvitationResent,
        Activity::InvitationRevoked,
        Activity::InvitationDeclined,
        Activity::InvitationAccepted,
        Activity::RoleChanged,
        Activity::MemberRemoved,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Activity::AccountCreated => "account_created",
            Activity::AccountEdited => "account_edited",
            Activity::WorkspaceCreated => "workspace_created",
            Activity::WorkspaceRenamed => "workspace_renamed",
            Activity::WorkspaceDeleted => "workspace_deleted",
            Activity::InvitationSent => "invitation_sent",
            Activity::InvitationResent => "invitation_resent",
            Activity::InvitationRevoked => "invitation_revoked",
            Activity::InvitationDeclined => "invitation_declined",
            Activity::InvitationAccepted => "invitation_accepted",
            Activity::RoleChanged => "role_changed",
            Activity::MemberRemoved => "member_removed",
        }
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Event {
    pub actor: String,
    pub kind: String,
    pub detail: String,
    pub created_at: i64,
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
    sqlx::query_as(
        "SELECT COALESCE(u.first_name || ' ' || u.last_name, '') AS actor, e.kind, e.detail, \
           e.created_at FROM account_events e LEFT JOIN users u ON u.id = e.actor_id \
         WHERE e.account_id = $1 ORDER BY e.id DESC LIMIT $2",
    )
    .bind(account_id)
    .bind(limit)
    .fetch_all(db)
    .await
}
