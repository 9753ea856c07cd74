//! The Authentication page: how a person signs in. Change password, the two-factor section
//! (`crate::two_factor`) and the security log (`crate::security_log`); confirming access for
//! sensitive actions (sudo mode) is `crate::sudo`.

mod page;
#[cfg(feature = "ssr")]
pub mod service;

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::caller::Caller;
use crate::error::AppError;
pub use page::AuthenticationPage;

/// The page's address.
pub const PAGE: &str = "/settings/authentication";

#[server(endpoint = "password/change", output = crate::codec::Json)]
pub async fn change_password(
    current_password: String,
    new_password: String,
    new_password_confirmation: String,
) -> Result<(), AppError> {
    let caller = Caller::signed_in().await?;
    let this_session = crate::session::current_id(&caller.session)
        .await?
        .unwrap_or_default();
    let epoch = service::change_password(
        &caller.state,
        &caller.user,
        current_password,
        new_password,
        new_password_confirmation,
        &caller.client,
        &this_session,
    )
    .await?;
    // Every other session ended with the epoch; this one carries on under a new id.
    crate::session::continue_with_epoch(&caller.session, &caller.state, &caller.user, epoch)
        .await?;
    crate::ui::confirm_plain_post("password");
    Ok(())
}
