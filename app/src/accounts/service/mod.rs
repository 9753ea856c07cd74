//! The rules of accounts: who may see and change what, and validation. Split like the data
//! layer: the account's information, its workspaces, members and invitations; here what they
//! share (the viewer's role) and the pages' overviews.

pub mod information;
pub mod invitations;
pub mod members;
pub mod workspaces;

use super::{AccountDetails, AccountSummary, AccountsOverview, ActivityView, Role};
use crate::clock::now_unix;
use crate::db::accounts as db;
use crate::db::users::User;
use crate::error::AppError;
use crate::state::AppState;

const NAME_MAX_CHARS: usize = 100;
const ACTIVITY_SHOWN: i64 = 30;

fn role(id: &str) -> Role {
    // Stored values come from `Role::id`; an unknown one counts for the least.
    Role::from_id(id).unwrap_or(Role::Member)
}

/// The viewer's role in the account. Not being a member reads exactly like a missing
/// account.
async fn membership(state: &AppState, user: &User, account_id: i64) -> Result<Role, AppError> {
    db::role_of(&state.db, account_id, user.id)
        .await?
        .map(|r| role(&r))
        .ok_or(AppError::NotFound)
}

async fn manager(state: &AppState, user: &User, account_id: i64) -> Result<Role, AppError> {
    let role = membership(state, user, account_id).await?;
    if role.manages() {
        Ok(role)
    } else {
        Err(AppError::Forbidden(
            "Only the account's Owners and Admins can do that.".into(),
        ))
    }
}

fn required_text(label: &str, input: &str, max: usize) -> Result<String, String> {
    crate::text::required_line(input, max).map_err(|e| e.message(label))
}

fn optional_text(label: &str, input: &str, max: usize) -> Result<String, String> {
    crate::text::line(input, max).map_err(|e| e.message(label))
}

/// Owners may grant any role; Admins may invite Admins and Members.
fn check_grant(my_role: Role, role: Role) -> Result<(), AppError> {
    if !my_role.can_grant(role) {
        return Err(AppError::field(
            "role",
            "Only an Owner can make someone an Owner.",
        ));
    }
    Ok(())
}

pub async fn overview(state: &AppState, user: &User) -> Result<AccountsOverview, AppError> {
    let accounts = db::for_user(&state.db, user.id)
        .await?
        .into_iter()
        .map(|a| AccountSummary {
            id: a.id,
            name: a.name,
            role: role(&a.role),
            members: a.members,
            workspaces: a.workspaces,
        })
        .collect();
    // Invitations found by address only once the address is proven: anyone can sign up
    // claiming any address.
    let invitations = if user.email_verified() {
        db::invitations::invitations_to(&state.db, &user.email, now_unix())
            .await?
            .into_iter()
            .map(|i| invitations::invitation_view(user, i))
            .collect()
    } else {
        Vec::new()
    };
    Ok(AccountsOverview {
        accounts,
        invitations,
        email_verified: user.email_verified(),
    })
}

pub async fn create_account(state: &AppState, user: &User, name: &str) -> Result<i64, AppError> {
    let name = required_text("account name", name, NAME_MAX_CHARS)
        .map_err(|m| AppError::field("name", m))?;
    Ok(db::create(&state.db, user.id, &name, "Default", now_unix()).await?)
}

pub async fn details(state: &AppState, user: &User, id: i64) -> Result<AccountDetails, AppError> {
    let my_role = membership(state, user, id).await?;
    let account = db::information::get(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let show = |t: i64| user.preferences.show(t);
    let members = db::members::members(&state.db, id)
        .await?
        .into_iter()
        .map(|m| members::member_view(user, m))
        .collect();
    let workspaces = db::workspaces::workspaces(&state.db, id)
        .await?
        .into_iter()
        .map(|w| workspaces::workspace_view(user, w))
        .collect();
    let (invitations, activity) = if my_role.manages() {
        let invitations = db::invitations::pending_invitations(&state.db, id, now_unix())
            .await?
            .into_iter()
            .map(|i| invitations::invitation_view(user, i))
            .collect();
        let activity = db::activity::events(&state.db, id, ACTIVITY_SHOWN)
            .await?
            .into_iter()
            .map(|e| ActivityView {
                when: show(e.created_at),
                who: e.actor,
                what: super::activity::describe(&e.kind, &e.detail),
            })
            .collect();
        (invitations, activity)
    } else {
        (Vec::new(), Vec::new())
    };
    Ok(AccountDetails {
        id,
        info: information::info_view(account.info),
        my_role,
        members,
        workspaces,
        invitations,
        activity,
    })
}
