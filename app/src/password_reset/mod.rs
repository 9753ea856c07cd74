//! Password reset: "Forgot password?" on the login page, the link mailed to the address, and
//! the "Choose a new password" page it opens.

mod page;
#[cfg(feature = "ssr")]
pub mod service;

use leptos::prelude::*;

use crate::error::AppError;
pub use page::{ChooseNewPasswordPage, PasswordResetPage};

/// What the request form comes back with without JavaScript (`?done=`).
pub const DONE_REQUESTED: &str = "reset-requested";

/// "Send reset link". Always the same answer, whether or not the address has an account.
#[server(endpoint = "password-reset/request", output = crate::codec::Json)]
pub async fn request_password_reset(email: String) -> Result<(), AppError> {
    let state = crate::state::AppState::get()?;
    let client = crate::session::client_info();
    service::request(&state, &email, &client).await?;
    crate::ui::confirm_plain_post(DONE_REQUESTED);
    Ok(())
}

/// Whether a reset link still works (the page asks before showing the form).
#[server(endpoint = "password-reset/check", output = crate::codec::Json)]
pub async fn check_reset_link(token: String) -> Result<(), AppError> {
    let state = crate::state::AppState::get()?;
    let viewer = crate::session::optional_user();
    service::check(&state, viewer.as_ref(), &token).await
}

/// "Set new password": every session of the person ends, this one included, and they log in
/// again with the new password (and their second factor, if they have one).
#[server(endpoint = "password-reset", output = crate::codec::Json)]
pub async fn reset_password(
    token: String,
    new_password: String,
    new_password_confirmation: String,
) -> Result<(), AppError> {
    let state = crate::state::AppState::get()?;
    let viewer = crate::session::optional_user();
    let client = crate::session::client_info();
    service::reset(
        &state,
        viewer.as_ref(),
        &token,
        new_password,
        new_password_confirmation,
        &client,
    )
    .await?;
    let session = crate::session::current_session().await?;
    crate::session::end(&session, &state.db).await?;
    leptos_axum::redirect(&format!("/login?done={}", crate::sign_in::DONE_RESET));
    Ok(())
}
