//! Accounts (organisations people belong to with a role), their workspaces, members and
//! invitations. Pages in `page/`, server functions here, rules in `service/` (one module each
//! for the account's information, workspaces, members and invitations, as in `db::accounts`)
//! and how the activity log reads in `activity.rs` (both ssr).

// `save_account` takes one argument per form field, so a plain form post maps onto it; the
// `server` macro's generated client code does not carry an item-level allow.
#![allow(clippy::too_many_arguments)]

#[cfg(feature = "ssr")]
pub mod activity;
mod page;
#[cfg(feature = "ssr")]
pub mod service;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
pub use page::invitations::InvitationPage;
pub use page::workspaces::WorkspacesPage;
pub use page::{AccountPage, AccountsPage};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Role {
    Owner,
    Admin,
    Member,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Owner, Role::Admin, Role::Member];

    pub fn id(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Admin => "admin",
            Role::Member => "member",
        }
    }

    pub fn from_id(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.id() == id)
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Owner => "Owner",
            Role::Admin => "Admin",
            Role::Member => "Member",
        }
    }

    /// Owners and Admins edit the account, its workspaces, members and invitations.
    pub fn manages(self) -> bool {
        matches!(self, Role::Owner | Role::Admin)
    }

    /// Whether someone with this role may invite as (or make someone) `role`: Owners any
    /// role, Admins Admins and Members, Members nobody.
    pub fn can_grant(self, role: Role) -> bool {
        match self {
            Role::Owner => true,
            Role::Admin => role != Role::Owner,
            Role::Member => false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountSummary {
    pub id: i64,
    pub name: String,
    pub role: Role,
    pub members: i64,
    pub workspaces: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationView {
    pub id: i64,
    pub account_id: i64,
    pub account_name: String,
    pub email: String,
    pub role: Role,
    pub invited_by: String,
    /// In the viewer's time zone and formats.
    pub sent: String,
    pub expires: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountsOverview {
    pub accounts: Vec<AccountSummary>,
    /// Pending invitations addressed to the viewer's email; empty until it is verified.
    pub invitations: Vec<InvitationView>,
    /// False while the viewer's email is unconfirmed (invitations by address stay hidden).
    pub email_verified: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountInfo {
    pub name: String,
    pub company_name: String,
    pub contact_email: String,
    pub phone: String,
    pub address: String,
    pub country: String,
    pub tax_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberView {
    pub user_id: i64,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub joined: String,
    pub is_me: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkspaceView {
    pub id: i64,
    pub account_id: i64,
    pub account_name: String,
    pub name: String,
    pub created: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityView {
    pub when: String,
    pub who: String,
    pub what: String,
}

/// One account as its page shows it; invitations and activity only for Owners and Admins.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountDetails {
    pub id: i64,
    pub info: AccountInfo,
    pub my_role: Role,
    pub members: Vec<MemberView>,
    pub workspaces: Vec<WorkspaceView>,
    pub invitations: Vec<InvitationView>,
    pub activity: Vec<ActivityView>,
}

/// What the invitee sees at `/invitations/{token}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationLanding {
    pub account_name: String,
    pub email: String,
    pub role: Role,
    pub invited_by: String,
    pub expires: String,
    pub viewer: Viewer,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Viewer {
    /// Not signed in; whether someone already has an account with the invited email.
    SignedOut { registered: bool },
    /// Signed in with the invited email.
    Invitee,
    /// Signed in as somebody else.
    Other { email: String },
}

/// After an invitation was sent (queued for mail). The link itself goes only to the invited
/// address: it is the proof that the address belongs to whoever opens it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationSent {
    pub email: String,
}

/// What a page loaded after a change made without JavaScript says (`?done=`): the browser
/// loads the page again, which has no action result to show. With JavaScript each form says
/// it in place.
pub mod done {
    pub const ACCOUNT_CREATED: &str = "account-created";
    pub const WORKSPACE_CREATED: &str = "workspace-created";
    pub const WORKSPACE_RENAMED: &str = "workspace-renamed";
    pub const WORKSPACE_DELETED: &str = "workspace-deleted";
    pub const INVITATION_SENT: &str = "invitation-sent";
    pub const INVITATION_RESENT: &str = "invitation-resent";
    pub const INVITATION_REVOKED: &str = "invitation-revoked";
    pub const ROLE_CHANGED: &str = "role-changed";
    pub const MEMBER_REMOVED: &str = "member-removed";
    /// On the list of accounts, with or without JavaScript.
    pub const LEFT: &str = "left";
    /// On the list of accounts, and declined also on the invitation's own page.
    pub const ACCEPTED: &str = "accepted";
    pub const DECLINED: &str = "declined";
}

#[cfg(feature = "ssr")]
use crate::caller::Caller;
#[cfg(feature = "ssr")]
use crate::ui::confirm_plain_post;

#[server(endpoint = "accounts", output = crate::codec::Json)]
pub async fn list_accounts() -> Result<AccountsOverview, AppError> {
    let Caller { state, user, .. } = Caller::signed_in().await?;
    service::overview(&state, &user).await
}

#[server(endpoint = "accounts/create", output = crate::codec::Json)]
pub async fn create_account(name: String) -> Result<i64, AppError> {
    let Caller { state, user, .. } = Caller::signed_in().await?;
    let id = service::create_account(&state, &user, &name).await?;
    crate::ui::redirect_plain_post(&format!("/accounts/{id}?done={}", done::ACCOUNT_CREATED));
    Ok(id)
}

#[server(endpoint = "accounts/details", output = crate::codec::Json)]
pub async fn get_account(id: i64) -> Result<AccountDetails, AppError> {
    let Caller { state, user, .. } = Caller::signed_in().await?;
    service::details(&state, &user, id).await
}

#[server(endpoint = "accounts/save", output = crate::codec::Json)]
pub async fn save_account(
    account_id: i64,
    name: String,
    company_name: String,
    contact_email: String,
    phone: String,
    address: String,
    country: String,
    tax_id: String,
) -> Result<(), AppError> {
    let Caller { state, user, .. } = Caller::signed_in().await?;
    let info = AccountInfo {
        name,
        company_name,
        contact_email,
        phone,
        address,
        country,
        tax_id,
    };
    service::information::save_info(&state, &user, account_id, info).await?;
    confirm_plain_post("account");
    Ok(())
}

#[server(endpoint = "workspaces/create", output = crate::codec::Json)]
pub async fn create_workspace(account_id: i64, workspace_name: String) -> Result<(), AppError> {
    let Caller { state, user, .. } = Caller::signed_in().await?;
    service::workspaces::create_workspace(&state, &user, account_id, &workspace_name).await?;
    confirm_plain_post(done::WORKSPACE_CREATED);
    Ok(())
}

#[server(endpoint = "workspaces/rename", output = crate::codec::Json)]
pub async fn rename_workspace(
    account_id: i64,
    workspace_id: i64,
    workspace_name: String,
) -> Result<(), AppError> {
    let Caller { state, user, .. } = Caller::signed_in().await?;
    service::workspaces::rename_workspace(&state, &user, account_id, workspace_id, &workspace_name)
        .await?;
    confirm_plain_post(done::WORKSPACE_RENAMED);
    Ok(())
}

#[server(endpoint = "workspaces/delete", output = crate::codec::Json)]
pub async fn delete_workspace(account_id: i64, workspace_id: i64) -> Result<(), AppError> {
    let Caller { state, user, .. } = Caller::signed_in().await?;
    service::workspaces::delete_workspace(&state, &user, account_id, workspace_id).await?;
    confirm_plain_post(done::WORKSPACE_DELETED);
    Ok(())
}

#[server(endpoint = "workspaces", output = crate::codec::Json)]
pub async fn all_workspaces() -> Result<Vec<WorkspaceView>, AppError> {
    let Caller { state, user, .. } = Caller::signed_in().await?;
    service::workspaces::all_workspaces(&state, &user).await
}

#[server(endpoint = "invitations/send", output = crate::codec::Json)]
pub async fn send_invitation(
    account_id: i64,
    email: String,
    role: String,
) -> Result<InvitationSent, AppError> {
    let Caller { state, user, .. } = Caller::signed_in().await?;
    let sent = service::invitations::invite(&state, &user, account_id, &email, &role).await?;
    confirm_plain_post(done::INVITATION_SENT);
    Ok(sent)
}

#[server(endpoint = "invitations/resend", output = crate::codec::Json)]
pub async fn resend_invitation(
    account_id: i64,
    invitation_id: i64,
) -> Result<InvitationSent, AppError> {
    let Caller { state, user, .. } = Caller::signed_in().await?;
    let sent = service::invitations::resend(&state, &user, account_id, invitation_id).await?;
    confirm_plain_post(done::INVITATION_RESENT);
    Ok(sent)
}

#[server(endpoint = "invitations/revoke", output = crate::codec::Json)]
pub async fn revoke_invitation(account_id: i64, invitation_id: i64) -> Result<(), AppError> {
    let Caller { state, user, .. } = Caller::signed_in().await?;
    service::invitations::revoke(&state, &user, account_id, invitation_id).await?;
    confirm_plain_post(done::INVITATION_REVOKED);
    Ok(())
}

#[server(endpoint = "members/role", output = crate::codec::Json)]
pub async fn change_role(account_id: i64, user_id: i64, role: String) -> Result<(), AppError> {
    let Caller { state, user, .. } = Caller::signed_in().await?;
    service::members::change_role(&state, &user, account_id, user_id, &role).await?;
    confirm_plain_post(done::ROLE_CHANGED);
    Ok(())
}

#[server(endpoint = "members/remove", output = crate::codec::Json)]
pub async fn remove_member(account_id: i64, user_id: i64) -> Result<(), AppError> {
    let Caller { state, user, .. } = Caller::signed_in().await?;
    let left = user_id == user.id;
    service::members::remove_member(&state, &user, account_id, user_id).await?;
    if left {
        leptos_axum::redirect(&format!("/accounts?done={}", done::LEFT));
    } else {
        confirm_plain_post(done::MEMBER_REMOVED);
    }
    Ok(())
}

/// The invitation behind a link, for anyone holding it (signed in or not).
#[server(endpoint = "invitations/show", output = crate::codec::Json)]
pub async fn show_invitation(token: String) -> Result<InvitationLanding, AppError> {
    let state = crate::state::AppState::get()?;
    service::invitations::landing(&state, crate::session::optional_user(), &token).await
}

#[server(endpoint = "invitations/accept", output = crate::codec::Json)]
pub async fn accept_invitation(token: String) -> Result<(), AppError> {
    let Caller { state, user, .. } = Caller::signed_in().await?;
    let account_id = service::invitations::accept_by_token(&state, &user, &token).await?;
    leptos_axum::redirect(&format!("/accounts/{account_id}"));
    Ok(())
}

#[server(endpoint = "invitations/decline", output = crate::codec::Json)]
pub async fn decline_invitation(token: String) -> Result<(), AppError> {
    let state = crate::state::AppState::get()?;
    service::invitations::decline_by_token(&state, &token).await?;
    confirm_plain_post(done::DECLINED);
    Ok(())
}

/// Accept or decline from the Accounts page's list of invitations to me.
#[server(endpoint = "invitations/answer", output = crate::codec::Json)]
pub async fn answer_invitation(invitation_id: i64, accept: bool) -> Result<(), AppError> {
    let Caller { state, user, .. } = Caller::signed_in().await?;
    service::invitations::answer_mine(&state, &user, invitation_id, accept).await?;
    confirm_plain_post(if accept {
        done::ACCEPTED
    } else {
        done::DECLINED
    });
    Ok(())
}
