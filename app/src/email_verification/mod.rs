//! Email verification: the link mailed at sign-up, the page it opens, and the notice every
//! signed-in page shows until the address is confirmed.

mod page;
#[cfg(feature = "ssr")]
pub mod service;

use leptos::prelude::*;

use crate::error::AppError;
pub use page::{EmailNotice, VerifyEmailPage};

/// What a Resend without JavaScript comes back with (`?done=`).
pub const DONE_RESENT: &str = "verification-sent";

/// "Resend" in the notice: a new link to the signed-in person's address.
#[server(endpoint = "email/resend-verification")]
pub async fn resend_verification() -> Result<(), AppError> {
    let user = crate::auth::session::require_user()?;
    let state = crate::state::AppState::get()?;
    service::resend(&state, &user).await?;
    crate::components::confirm_plain_post(DONE_RESENT);
    Ok(())
}

/// Opens a verification link; returns the confirmed address. Signed in as someone else, it
/// changes nothing and says so.
#[server(endpoint = "email/verify")]
pub async fn verify_email(token: String) -> Result<String, AppError> {
    let state = crate::state::AppState::get()?;
    let viewer = crate::auth::session::optional_user();
    service::verify(&state, viewer.as_ref(), &token).await
}
