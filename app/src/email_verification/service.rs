//! Proving the email address: a single-use link mailed to it at sign-up (and on Resend).

use sqlx::AnyConnection;

use crate::clock::now_unix;
use crate::db::email_tokens::{self, Purpose};
use crate::db::users::{self, User};
use crate::error::AppError;
use crate::security_log::{self, Event};
use crate::session::ClientInfo;
use crate::state::AppState;
use crate::tokens::{new_token, token_hash};

pub const INVALID_LINK: &str = "This confirmation link does not work any more: it was already \
    used, a newer one was sent, or it expired. Log in and choose Resend to get a new link.";

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
    let limit = state.settings.mail_requests_per_hour;
    let key = format!("verify:{}", user.id);
    crate::email_links::count_request(state, &key, limit, now_unix()).await?;
    let mut tx = crate::db::begin_write(&state.db).await?;
    issue_in(&mut tx, state, user).await?;
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
    crate::email_links::owner(state, Purpose::VerifyEmail, viewer, hash, now, INVALID_LINK).await
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
    let mut tx = crate::db::begin_write(&state.db).await?;
    // Of two racing openings one uses the token; the other finds it gone.
    email_tokens::consume(&mut tx, Purpose::VerifyEmail, &hash, now)
        .await?
        .ok_or_else(|| AppError::Forbidden(INVALID_LINK.into()))?;
    users::mark_email_verified(&mut tx, owner, now).await?;
    security_log::record_in(
        &mut tx,
        owner,
        Event::EmailVerified,
        &user.email,
        &ClientInfo::default(),
    )
    .await?;
    tx.commit().await?;
    Ok(user.email)
}
