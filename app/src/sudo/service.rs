//! Checking the password of a person already signed in.

use crate::clock::now_unix;
use crate::db::throttle;
use crate::db::users::User;
use crate::error::AppError;
use crate::password;
use crate::state::AppState;

/// Counts a password check by a signed-in person, before it is made. Apart from the login
/// counters: a stranger hammering the login must not stop the owner's own session.
pub async fn check_throttle(state: &AppState, user: &User) -> Result<String, AppError> {
    let now = now_unix();
    let key = format!("reauth:{}", user.id);
    let count = throttle::hit(&state.db, &key, now, state.settings.login_window_secs).await?;
    if count.attempts > state.settings.login_attempts_per_account {
        return Err(AppError::Throttled {
            retry_after_secs: count.retry_after(now),
        });
    }
    Ok(key)
}

/// Checks the password for sudo mode; wrong ones count towards the login throttle.
pub async fn confirm_password(
    state: &AppState,
    user: &User,
    password: String,
) -> Result<(), AppError> {
    if password.is_empty() {
        return Err(AppError::field("password", "Enter your password."));
    }
    let account_key = check_throttle(state, user).await?;
    if password.chars().count() > password::MAX_CHARS
        || !state
            .hasher
            .verify(password, user.password_hash.clone())
            .await?
    {
        return Err(AppError::field("password", "That password is not correct."));
    }
    throttle::clear(&state.db, &account_key).await?;
    Ok(())
}
