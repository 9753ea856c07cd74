//! Email verification: the link mailed at sign-up, the page it opens, and the notice every
//! signed-in page shows until the address is confirmed.

mod page;
#[cfg(feature = "ssr")]
pub mod service;

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::caller::Caller;
use crate::error::AppError;
pub use page::{EmailNotice, VerifyEmailPage};

/// What a Resend without JavaScript comes back with (`?done=`).
pub const DONE_RESENT: &str = "verification-sent";

/// "Resend" in the notice: a new link to the signed-in person's address.
#[server(endpoint = "email/resend-verification", output = crate::codec::Json)]
pub async fn resend_verification() -> Result<(), AppError> {
    let caller = Caller::signed_in().await?;
    service::resend(&caller.state, &caller.user).await?;
    crate::ui::confirm_plain_post(DONE_RESENT);
    Ok(())
}

/// Where a confirmed address leads (`?done=`): the settings, or the login page when this
/// browser is signed out.
pub const DONE_CONFIRMED: &str = "email-confirmed";

/// What a verification link would confirm, without using it (the page shows a button).
#[server(endpoint = "email/check", output = crate::codec::Json)]
pub async fn check_verification_link(token: String) -> Result<String, AppError> {
    let state = crate::state::AppState::get()?;
    let viewer = crate::session::optional_user();
    service::check(&state, viewer.as_ref(), &token).await
}

/// "Confirm email address": uses the link up and confirms the address; returns it. Signed in
/// as someone else, it changes nothing and says so.
#[server(endpoint = "email/verify", output = crate::codec::Json)]
pub async fn verify_email(token: String) -> Result<String, AppError> {
    let state = crate::state::AppState::get()?;
    let viewer = crate::session::optional_user();
    let email = service::verify(&state, viewer.as_ref(), &token).await?;
    leptos_axum::redirect(&match viewer {
        Some(_) => format!("/settings?done={DONE_CONFIRMED}"),
        None => format!("/login?done={DONE_CONFIRMED}"),
    });
    Ok(email)
}
