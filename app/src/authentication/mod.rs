//! The Authentication page: how a person signs in. Change password now; two-factor
//! authentication joins it here.

mod page;
#[cfg(feature = "ssr")]
pub mod service;

use leptos::prelude::*;

use crate::error::AppError;
pub use page::AuthenticationPage;

#[server(endpoint = "password/change")]
pub async fn change_password(
    current_password: String,
    new_password: String,
    new_password_confirmation: String,
) -> Result<(), AppError> {
    let user = crate::auth::session::require_user()?;
    let state = crate::state::AppState::get()?;
    let session = crate::auth::session::current_session().await?;
    let epoch = service::change_password(
        &state,
        &user,
        current_password,
        new_password,
        new_password_confirmation,
    )
    .await?;
    // Every other session ended with the epoch; this one carries on under a new id.
    crate::auth::session::continue_with_epoch(&session, epoch).await?;
    crate::components::confirm_plain_post("password");
    Ok(())
}
