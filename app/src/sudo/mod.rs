//! Sudo mode: the password asked again before sensitive actions (linking or removing
//! two-factor devices, new recovery codes, seeing a started device's setup key). Shared by
//! the two-factor section, which shows the form, and the Authentication page, whose password
//! change counts its checks the same way.

#[cfg(feature = "ssr")]
pub mod service;

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::caller::Caller;
use crate::error::AppError;

/// What a password confirmed without JavaScript comes back with (`?done=`).
pub const DONE_ACCESS: &str = "access";

/// Sudo mode: the password again, before linking or removing devices or making new
/// recovery codes.
#[server(endpoint = "confirm-access")]
pub async fn confirm_access(password: String) -> Result<(), AppError> {
    let caller = Caller::signed_in().await?;
    service::confirm_password(&caller.state, &caller.user, password).await?;
    crate::session::mark_verified(&caller.session, crate::clock::now_unix()).await?;
    crate::ui::confirm_plain_post(DONE_ACCESS);
    Ok(())
}
