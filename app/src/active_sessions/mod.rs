//! The Sessions section of the Authentication page: where the person is signed in, with a
//! way to sign out any other session, or all of them. Sessions themselves are
//! `crate::session`'s; this is the person's view of them.

mod page;
#[cfg(feature = "ssr")]
pub mod service;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::caller::Caller;
use crate::error::AppError;
pub use page::SessionsSection;

/// The page the section lives on, and its heading's id (the new-browser mail links there).
pub const PAGE: &str = "/settings/authentication";
pub const SECTION_ID: &str = "sessions";
/// What a page load after a change announces (`?done=`), with or without JavaScript.
pub const DONE_ENDED: &str = "session-ended";
pub const DONE_ENDED_OTHERS: &str = "other-sessions-ended";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionView {
    /// The row's id: the hash of the session's handle, never the cookie's value.
    pub id: String,
    /// "Firefox 128 on Linux".
    pub browser: String,
    pub address: String,
    /// In the person's own time zone and formats.
    pub signed_in: String,
    pub last_active: String,
    /// "Password and authenticator code".
    pub method: String,
    /// The session this page was loaded in.
    pub current: bool,
}

#[server(endpoint = "sessions", output = crate::codec::Json)]
pub async fn list_sessions() -> Result<Vec<SessionView>, AppError> {
    let caller = Caller::signed_in().await?;
    let current = crate::session::current_id(&caller.session).await?;
    service::list(&caller.state, &caller.user, current.as_deref()).await
}

/// Signs out one session. Another one needs a recent password check; this one is signed out
/// at once, as the user menu's "Log out" would.
#[server(endpoint = "sessions/end", output = crate::codec::Json)]
pub async fn end_session(id: String) -> Result<(), AppError> {
    let caller = Caller::signed_in().await?;
    if crate::session::current_id(&caller.session)
        .await?
        .as_deref()
        == Some(id.as_str())
    {
        service::end_this(&caller.state, &caller.user, &caller.session, &caller.client).await?;
        leptos_axum::redirect("/login");
        return Ok(());
    }
    let caller = caller.require_recent().await?;
    service::end_one(&caller.state, &caller.user, &id, &caller.client).await?;
    crate::ui::confirm_plain_post(DONE_ENDED);
    Ok(())
}

/// Signs out every session but this one, also those from before the Sessions list.
#[server(endpoint = "sessions/end-others", output = crate::codec::Json)]
pub async fn end_other_sessions() -> Result<(), AppError> {
    let caller = Caller::recently_authenticated().await?;
    let current = crate::session::current_id(&caller.session)
        .await?
        .unwrap_or_default();
    let epoch = service::end_others(&caller.state, &caller.user, &current, &caller.client).await?;
    crate::session::continue_with_epoch(&caller.session, &caller.state, &caller.user, epoch)
        .await?;
    crate::ui::confirm_plain_post(DONE_ENDED_OTHERS);
    Ok(())
}
