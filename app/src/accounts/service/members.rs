//! The members of an account: their roles changed or removed by Owners and Admins, and
//! leaving.

use super::{check_grant, manager, membership, role};
use crate::accounts::{MemberView, Role};
use crate::clock::now_unix;
use crate::db::accounts as accounts_db;
use crate::db::accounts::members::{self as db, MemberChange};
use crate::db::users::{self, User};
use crate::error::AppError;
use crate::state::AppState;

pub(super) fn member_view(user: &User, m: db::Member) -> MemberView {
    MemberView {
        user_id: m.user_id,
        name: format!("{} {}", m.first_name, m.last_name),
        email: m.email,
        role: role(&m.role),
        joined: user.preferences.show(m.joined_at),
        is_me: m.user_id == user.id,
    }
}

pub async fn change_role(
    state: &AppState,
    user: &User,
    account_id: i64,
    member_id: i64,
    role_id: &str,
) -> Result<(), AppError> {
    let my_role = manager(state, user, account_id).await?;
    let new_role = Role::from_id(role_id)
        .ok_or_else(|| AppError::field("role", "Choose Owner, Admin or Member."))?;
    let current = accounts_db::role_of(&state.db, account_id, member_id)
        .await?
        .map(|r| role(&r))
        .ok_or(AppError::NotFound)?;
    if current == Role::Owner && my_role != Role::Owner {
        return Err(AppError::Forbidden(
            "Admins cannot change an Owner's role.".into(),
        ));
    }
    check_grant(my_role, new_role)?;
    let detail = format!(
        "{} is now {}",
        member_label(state, member_id).await?,
        new_role.label()
    );
    // Their pending invitations for roles they may no longer grant end with the change.
    let revoke: Vec<&str> = Role::ALL
        .into_iter()
        .filter(|r| !new_role.can_grant(*r))
        .map(Role::id)
        .collect();
    match db::set_role(
        &state.db,
        account_id,
        member_id,
        new_role.id(),
        &revoke,
        user.id,
        &detail,
        now_unix(),
    )
    .await?
    {
        MemberChange::Done => Ok(()),
        MemberChange::NotMember => Err(AppError::NotFound),
        MemberChange::LastOwner => Err(AppError::field(
            "role",
            "An account needs at least one Owner: make someone else Owner first.",
        )),
    }
}

async fn member_label(state: &AppState, user_id: i64) -> Result<String, AppError> {
    Ok(users::find_by_id(&state.db, user_id)
        .await?
        .map(|u| u.email)
        .unwrap_or_default())
}

/// Removes a member, or lets a person leave (`member_id` is themselves).
pub async fn remove_member(
    state: &AppState,
    user: &User,
    account_id: i64,
    member_id: i64,
) -> Result<(), AppError> {
    let leaving = member_id == user.id;
    let my_role = if leaving {
        membership(state, user, account_id).await?
    } else {
        manager(state, user, account_id).await?
    };
    let target = accounts_db::role_of(&state.db, account_id, member_id)
        .await?
        .map(|r| role(&r))
        .ok_or(AppError::NotFound)?;
    if !leaving && target == Role::Owner && my_role != Role::Owner {
        return Err(AppError::Forbidden("Admins cannot remove an Owner.".into()));
    }
    let detail = member_label(state, member_id).await?;
    match db::remove_member(
        &state.db,
        account_id,
        member_id,
        user.id,
        &detail,
        now_unix(),
    )
    .await?
    {
        MemberChange::Done => Ok(()),
        MemberChange::NotMember => Err(AppError::NotFound),
        MemberChange::LastOwner => Err(AppError::Forbidden(
            "An account needs at least one Owner: make someone else Owner first.".into(),
        )),
    }
}
