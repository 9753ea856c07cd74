//! Changing the password.

use crate::clock::now_unix;
use crate::db::throttle;
use crate::db::users::{self, User};
use crate::error::{AppError, FieldErrors};
use crate::password;
use crate::security_log::{self, Event};
use crate::session::ClientInfo;
use crate::state::AppState;
use crate::sudo::service::check_throttle;

/// Verifies the current password, checks the new one, and in one statement stores the new
/// hash and moves the user's session epoch (which ends every other session); the security
/// log entry and the notification mail commit with it. Returns the new epoch. A wrong
/// current password changes nothing and counts towards the login throttle.
pub async fn change_password(
    state: &AppState,
    user: &User,
    current: String,
    new: String,
    confirmation: String,
    client: &ClientInfo,
    this_session: &str,
) -> Result<i64, AppError> {
    let mut errors = FieldErrors::new();
    if current.is_empty() {
        errors.add("current_password", "Enter your current password.");
    }
    let hints = [
        user.first_name.as_str(),
        user.last_name.as_str(),
        user.email.as_str(),
    ];
    if let Err((field, message)) = password::validate_new(&new, &confirmation, &hints) {
        let field = if field == "password" {
            "new_password"
        } else {
            "new_password_confirmation"
        };
        errors.add(field, message);
    } else if new == current {
        errors.add(
            "new_password",
            "Choose a password different from your current one.",
        );
    }
    errors.into_result()?;

    let account_key = check_throttle(state, user).await?;
    // The hash as stored now, not as it was when the request started.
    let stored = users::find_by_id(&state.db, user.id)
        .await?
        .ok_or(AppError::Unauthorized)?;
    if !state
        .hasher
        .verify(current, stored.password_hash.clone())
        .await?
    {
        return Err(AppError::field(
            "current_password",
            "Your current password is not correct.",
        ));
    }
    throttle::clear(&state.db, &account_key).await?;

    let new_hash = state.hasher.hash(new).await?;
    let mut tx = crate::db::begin_write(&state.db).await?;
    let epoch = users::replace_password(
        &mut tx,
        user.id,
        &stored.password_hash,
        &new_hash,
        now_unix(),
    )
    .await?
    .ok_or_else(|| {
        AppError::field(
            "current_password",
            "Your password was changed in the meantime. Reload the page and try again.",
        )
    })?;
    // The epoch ended every other session; the Sessions list says so at once.
    crate::db::sessions::end_others(&mut tx, user.id, this_session, now_unix()).await?;
    security_log::record_in(&mut tx, user.id, Event::PasswordChanged, "", client).await?;
    let what = "The password of your account was changed, and every other session was logged out.";
    crate::mail::notify(
        &mut tx,
        &state.settings,
        user,
        "password changed",
        what,
        client,
    )
    .await?;
    tx.commit().await?;
    state.outbox.wake();
    Ok(epoch)
}
