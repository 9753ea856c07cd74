//! The workspaces of an account: made, renamed and deleted by its Owners and Admins, listed
//! for every member.

use super::{manager, required_text, NAME_MAX_CHARS};
use crate::accounts::WorkspaceView;
use crate::clock::now_unix;
use crate::db::accounts::workspaces as db;
use crate::db::is_unique_violation;
use crate::db::users::User;
use crate::error::AppError;
use crate::state::AppState;

const DUPLICATE_WORKSPACE: &str = "This account already has a workspace with this name.";

fn validate_workspace_name(input: &str) -> Result<String, AppError> {
    required_text("workspace name", input, NAME_MAX_CHARS)
        .map_err(|m| AppError::field("workspace_name", m))
}

pub(super) fn workspace_view(user: &User, w: db::Workspace) -> WorkspaceView {
    WorkspaceView {
        id: w.id,
        account_id: w.account_id,
        account_name: w.account_name,
        name: w.name,
        created: user.preferences.show(w.created_at),
    }
}

pub async fn create_workspace(
    state: &AppState,
    user: &User,
    account_id: i64,
    name: &str,
) -> Result<(), AppError> {
    manager(state, user, account_id).await?;
    let name = validate_workspace_name(name)?;
    match db::create_workspace(&state.db, account_id, &name, user.id, now_unix()).await {
        Err(e) if is_unique_violation(&e) => {
            Err(AppError::field("workspace_name", DUPLICATE_WORKSPACE))
        }
        other => Ok(other?),
    }
}

pub async fn rename_workspace(
    state: &AppState,
    user: &User,
    account_id: i64,
    workspace_id: i64,
    name: &str,
) -> Result<(), AppError> {
    manager(state, user, account_id).await?;
    let name = validate_workspace_name(name)?;
    match db::rename_workspace(
        &state.db,
        account_id,
        workspace_id,
        &name,
        user.id,
        now_unix(),
    )
    .await
    {
        Ok(true) => Ok(()),
        Ok(false) => Err(AppError::NotFound),
        Err(e) if is_unique_violation(&e) => {
            Err(AppError::field("workspace_name", DUPLICATE_WORKSPACE))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn delete_workspace(
    state: &AppState,
    user: &User,
    account_id: i64,
    workspace_id: i64,
) -> Result<(), AppError> {
    manager(state, user, account_id).await?;
    if db::delete_workspace(&state.db, account_id, workspace_id, user.id, now_unix()).await? {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

pub async fn all_workspaces(state: &AppState, user: &User) -> Result<Vec<WorkspaceView>, AppError> {
    Ok(db::workspaces_for_user(&state.db, user.id)
        .await?
        .into_iter()
        .map(|w| workspace_view(user, w))
        .collect())
}
