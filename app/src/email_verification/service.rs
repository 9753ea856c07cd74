//! Proving the email address: a single-use link mailed to it at sign-up (and on Resend).

use sqlx::AnyConnection;

use crate::authentication::security_log::{self, Event};
use crate::db::email_tokens::{self, Purpose};
use crate::db::throttle;
use crate::db::users::{self, User};
use crate::error::AppError;
use crate::preferences::zone::now_unix;
use crate::state::AppState;
use crate::tokens::{new_token, token_hash};

pub const INVALID_LINK: &str = "This confirmation link does not work any more: it was already \
    used, a newer one was sent, or it expired. Log in and choose Resend to get a new link.";

/// The link was opened while someone else is signed in: nothing changes.
pub fn other_account(signed_in_as: &str) -> String {
    format!(
        "This link belongs to another account than the one you are logged in with \
         ({signed_in_as}). Nothing was changed: log out, then open the link again."
    )
}

/// A new verification link for `user`, mailed on the caller's transaction; the previous link
/// stops working.
pub async fn issue_in(
    conn: &mut AnyConnection,
    state: &AppState,
    user: &User,
) -> Result<(), AppError> {
    let (token, hash) = new_token();
    let now = now_unix();
    let expires = now + state.settings.verification_ttl_secs;
    email_tokens::replace(conn, user.id, Purpose::VerifyEmail, &hash, now, expires).await?;
    let mail = crate::mail::messages::verify_email(&state.settings, user, &token);
    crate::mail::queue(conn, &mail).await?;
    Ok(())
}

/// "Resend": a new link, throttled per person like every mail a person can ask for.
pub async fn resend(state: &AppState, user: &User) -> Result<(), AppError> {
    if user.email_verified() {
        return Ok(());
    }
    let now = now_unix();
    let (sent, start) = throttle::hit(&state.db, &format!("verify:{}", user.id), now, 3600).await?;
    if sent > state.settings.mail_requests_per_hour {
        return Err(AppError::Throttled {
            retry_after_secs: start + 3600 - now,
        });
    }
    let mut tx = state.db.begin().await?;
    issue_in(&mut tx, state, user).await?;
    tx.commit().await?;
    state.outbox.wake();
    Ok(())
}

/// The person a live link was mailed to; refused when someone else is signed in (`viewer`).
async fn link_owner(
    state: &AppState,
    viewer: Option<&User>,
    hash: &str,
    now: i64,
) -> Result<User, AppError> {
    let owner = email_tokens::owner(&state.db, Purpose::VerifyEmail, hash, now)
        .await?
        .ok_or_else(|| AppError::Forbidden(INVALID_LINK.into()))?;
    if let Some(viewer) = viewer.filter(|v| v.id != owner) {
        return Err(AppError::Forbidden(other_account(&viewer.email)));
    }
    users::find_by_id(&state.db, owner)
        .await?
        .ok_or_else(|| AppError::Forbidden(INVALID_LINK.into()))
}

/// The address a link would confirm, without using it: opening the link only shows a
/// Confirm button, so that a mail scanner that fetches every link confirms nothing.
pub async fn check(
    state: &AppState,
    viewer: Option<&User>,
    token: &str,
) -> Result<String, AppError> {
    let user = link_owner(state, viewer, &token_hash(token), now_unix()).await?;
    Ok(user.email)
}

/// Confirms the address the link was mailed to, using the link up. Returns that address.
pub async fn verify(
    state: &AppState,
    viewer: Option<&User>,
    token: &str,
) -> Result<String, AppError> {
    let now = now_unix();
    let hash = token_hash(token);
    let user = link_owner(state, viewer, &hash, now).await?;
    let owner = user.id;
    let mut tx = state.db.begin().await?;
    // Of two racing openings one uses the token; the other finds it gone.
    email_tokens::consume(&mut tx, Purpose::VerifyEmail, &hash, now)
        .await?
        .ok_or_else(|| AppError::Forbidden(INVALID_LINK.into()))?;
    users::mark_email_verified(&mut tx, owner, now).await?;
    security_log::record_in(&mut tx, owner, Event::EmailVerified, &user.email, None).await?;
    tx.commit().await?;
    Ok(user.email)
}
