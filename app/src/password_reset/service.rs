//! "Forgot password?": a single-use link mailed to the address, and choosing a new password
//! from it. A reset ends every session and never bypasses two-factor authentication: it
//! signs nobody in.

use sqlx::AnyConnection;

use crate::clock::now_unix;
use crate::contact::validate_email;
use crate::db::email_tokens::{self, Purpose};
use crate::db::users::{self, User};
use crate::error::{AppError, FieldErrors};
use crate::password;
use crate::security_log::{self, Event};
use crate::session::ClientInfo;
use crate::state::AppState;
use crate::tokens::{new_token, token_hash};

pub const INVALID_LINK: &str = "This password reset link does not work any more: it was \
    already used, a newer one was sent, or it expired. Ask for a new link below.";

/// Asks for a reset link. The answer is the same whether or not an account has this
/// address, and so is the work before it: the link is made and queued after the answer.
pub async fn request(state: &AppState, email: &str, client: &ClientInfo) -> Result<(), AppError> {
    let email = validate_email(email).map_err(|m| AppError::field("email", m))?;
    let now = now_unix();
    if let Some(addr) = client.addr {
        let limit = state.settings.mail_requests_per_client_per_hour;
        crate::email_links::count_request(
            state,
            &format!("reset-addr:{}", crate::db::throttle::address_bucket(addr)),
            limit,
            now,
        )
        .await?;
    }
    let limit = state.settings.mail_requests_per_hour;
    crate::email_links::count_request(state, &format!("reset:{email}"), limit, now).await?;
    if let Some(user) = users::find_by_email(&state.db, &email).await? {
        let state = state.clone();
        tokio::spawn(async move {
            if let Err(error) = issue(&state, &user).await {
                tracing::error!(
                    ?error,
                    user = user.id,
                    "queuing a password reset link failed"
                );
            }
        });
    }
    Ok(())
}

/// A new reset link and its mail, together; the link before stops working.
async fn issue(state: &AppState, user: &User) -> Result<(), AppError> {
    let (token, hash) = new_token();
    let now = now_unix();
    let expires = now + state.settings.reset_ttl_secs;
    let mut tx = crate::db::begin_write(&state.db).await?;
    email_tokens::replace(
        &mut tx,
        user.id,
        Purpose::ResetPassword,
        &hash,
        now,
        expires,
    )
    .await?;
    let mail = crate::mail::messages::password_reset(&state.settings, user, &token);
    crate::mail::queue(&mut tx, &mail).await?;
    tx.commit().await?;
    state.outbox.wake();
    Ok(())
}

async fn link_owner(
    state: &AppState,
    viewer: Option<&User>,
    hash: &str,
    now: i64,
) -> Result<User, AppError> {
    crate::email_links::owner(
        state,
        Purpose::ResetPassword,
        viewer,
        hash,
        now,
        INVALID_LINK,
    )
    .await
}

/// Whether a reset link can still be used (the page checks before showing the form).
pub async fn check(state: &AppState, viewer: Option<&User>, token: &str) -> Result<(), AppError> {
    link_owner(state, viewer, &token_hash(token), now_unix())
        .await
        .map(|_| ())
}

/// Sets the new password from a reset link: the link used up, the hash replaced, every
/// session ended, the address confirmed (the link was mailed there), the reset in the
/// security log and a notification queued, all in one transaction.
pub async fn reset(
    state: &AppState,
    viewer: Option<&User>,
    token: &str,
    new: String,
    confirmation: String,
    client: &ClientInfo,
) -> Result<(), AppError> {
    let hash = token_hash(token);
    let user = link_owner(state, viewer, &hash, now_unix()).await?;
    let hints = [
        user.first_name.as_str(),
        user.last_name.as_str(),
        user.email.as_str(),
    ];
    let mut errors = FieldErrors::new();
    if let Err((field, message)) = password::validate_new(&new, &confirmation, &hints) {
        let field = if field == "password" {
            "new_password"
        } else {
            "new_password_confirmation"
        };
        errors.add(field, message);
    }
    errors.into_result()?;
    let new_hash = state.hasher.hash(new).await?;

    let now = now_unix();
    let mut tx = crate::db::begin_write(&state.db).await?;
    // Of two racing submissions one uses the link; the other changes nothing.
    email_tokens::consume(&mut tx, Purpose::ResetPassword, &hash, now)
        .await?
        .ok_or_else(|| AppError::Forbidden(INVALID_LINK.into()))?;
    users::reset_password(&mut tx, user.id, &new_hash, now)
        .await?
        .ok_or_else(|| AppError::Forbidden(INVALID_LINK.into()))?;
    email_tokens::revoke(&mut tx, user.id, Purpose::VerifyEmail).await?;
    // The epoch ended every session; the Sessions list says so at once.
    crate::db::sessions::end_others(&mut tx, user.id, "", now).await?;
    security_log::record_in(&mut tx, user.id, Event::PasswordReset, "", client).await?;
    notify_reset(&mut tx, state, &user, now, client).await?;
    tx.commit().await?;
    state.outbox.wake();
    // The owner proved the address: a lock-out by strangers' wrong passwords ends.
    crate::sign_in::service::end_lockout(state, &user.email).await?;
    Ok(())
}

async fn notify_reset(
    conn: &mut AnyConnection,
    state: &AppState,
    user: &User,
    now: i64,
    client: &ClientInfo,
) -> Result<(), AppError> {
    // The reset proved the address in this very transaction.
    let verified = User {
        email_verified_at: user.email_verified_at.or(Some(now)),
        ..user.clone()
    };
    let what = "The password of your account was reset with a link mailed to this address, \
                and every session was logged out. Two-factor authentication is unchanged.";
    crate::mail::notify(
        conn,
        &state.settings,
        &verified,
        "password reset",
        what,
        client,
    )
    .await?;
    Ok(())
}
