//! Sudo mode: the password asked again before sensitive actions (linking or removing
//! two-factor devices, new recovery codes, seeing a started device's setup key). Shared by
//! the two-factor section, which shows the form, and the Authentication page, whose password
//! change counts its checks the same way.

mod page;
#[cfg(feature = "ssr")]
pub mod service;

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::caller::Caller;
use crate::error::AppError;
pub use page::{AccessQuestion, AccessTimer, ConfirmAccessPanel, Reauth};

/// The recent-password window as a page's timer sees it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AccessClock {
    /// Seconds until it closes (0: closed).
    pub left: i64,
    /// Its full length, as a confirmed password opens it again.
    pub window: i64,
    /// How long before it closes a page says so.
    pub warn_before: i64,
}

/// What a password confirmed without JavaScript comes back with (`?done=`).
pub const DONE_ACCESS: &str = "access";

/// Sudo mode: the password again, before linking or removing devices or making new
/// recovery codes.
#[server(endpoint = "confirm-access", output = crate::codec::Json)]
pub async fn confirm_access(password: String) -> Result<(), AppError> {
    let caller = Caller::signed_in().await?;
    service::confirm_password(&caller.state, &caller.user, password).await?;
    crate::session::mark_verified(&caller.session, crate::clock::now_unix()).await?;
    crate::ui::confirm_plain_post(DONE_ACCESS);
    Ok(())
}
