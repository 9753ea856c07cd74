//! Who is signed in. The session itself (cookie, storage in the database, idle expiry) is
//! tower-sessions'; this module decides what a session means for the product: the guard in
//! `crate::caller` and the features read the signed-in person from here. Shared by every
//! feature (and by the server's middleware), below them all.

#[cfg(feature = "ssr")]
pub mod device;
#[cfg(feature = "ssr")]
mod signed_in;
mod timer;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
#[cfg(feature = "ssr")]
pub use signed_in::*;
pub use timer::SessionTimer;

/// What the page's timer needs to warn before the idle timeout ends the session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionClock {
    /// Seconds until the session ends unless there is activity.
    pub expires_in: i64,
    /// How long before that the page offers "Stay signed in".
    pub warn_before: i64,
}

#[cfg(feature = "ssr")]
impl SessionClock {
    /// For this request's session, as the server's middleware resolved it.
    pub fn now(settings: &crate::state::Settings) -> Self {
        Self {
            expires_in: expires_in(crate::clock::now_unix()).unwrap_or(0),
            // Two minutes, or a quarter of a short timeout: WCAG 2.2.1 asks for at least 20
            // seconds to answer.
            warn_before: (settings.session_idle_secs / 4).clamp(1, 120),
        }
    }
}

#[server(endpoint = "logout", output = crate::codec::Json)]
pub async fn logout() -> Result<(), AppError> {
    let state = crate::state::AppState::get()?;
    let session = signed_in::current_session().await?;
    signed_in::end(&session, &state.db).await?;
    leptos_axum::redirect("/login");
    Ok(())
}

/// How long the session has left, without counting as activity (see [`STATUS_PATH`]).
#[server(endpoint = "session/status", output = crate::codec::Json)]
pub async fn session_status() -> Result<SessionClock, AppError> {
    let state = crate::state::AppState::get()?;
    require_user()?;
    Ok(SessionClock::now(&state.settings))
}

/// "Stay signed in": activity now.
#[server(endpoint = "session/keep-alive", output = crate::codec::Json)]
pub async fn keep_alive() -> Result<SessionClock, AppError> {
    let state = crate::state::AppState::get()?;
    require_user()?;
    let session = current_session().await?;
    let expires_in = signed_in::keep_alive(
        &session,
        &state.db,
        &state.settings,
        &client_info(),
        crate::clock::now_unix(),
    )
    .await?;
    Ok(SessionClock {
        expires_in,
        ..SessionClock::now(&state.settings)
    })
}
