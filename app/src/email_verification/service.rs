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

/// Opens a verification link: the address of the person it was mailed to is proven. Returns
/// that address. `viewer` is whoever is signed in on this browser, if anyone: a link of
/// another account changes nothing.
pub async fn verify(
    state: &AppState,
    viewer: Option<&User>,
    token: &str,
) -> Result<String, AppError> {
    let now = now_unix();
    let hash = token_hash(token);
    let owner = email_tokens::owner(&state.db, Purpose::VerifyEmail, &hash, now)
        .await?
        .ok_or_else(|| AppError::Forbidden(INVALID_LINK.into()))?;
    if let Some(viewer) = viewer.filter(|v| v.id != owner) {
        return Err(AppError::Forbidden(other_account(&viewer.email)));
    }
    let user = users::find_by_id(&state.db, owner)
        .await?
        .ok_or_else(|| AppError::Forbidden(INVALID_LINK.into()))?;
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
