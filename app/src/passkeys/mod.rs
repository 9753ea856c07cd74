//! Passkeys and security keys (WebAuthn): phishing-resistant second factor and sign-in with
//! a passkey alone.

mod browser;
mod page;
#[cfg(feature = "ssr")]
pub mod service;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
pub use page::{AddPasskeyPanel, PasskeySignIn, UsePasskey, NEEDS_JAVASCRIPT};

pub const NAME_MAX_CHARS: usize = 64;

/// The form field every ceremony's failure is shown next to.
pub const FIELD: &str = "passkey";

pub const NEEDS_DOMAIN: &str =
    "Passkeys need this site to be reached by a domain name, not an IP address. Ask your administrator to set one.";

/// The Authentication page's state that adds a passkey (`?passkey=add`).
pub const STEP_ADD: &str = "add";

/// What a page load after a change announces (`?done=`), with or without JavaScript.
pub const DONE_ADDED: &str = "passkey-added";
pub const DONE_RENAMED: &str = "passkey-renamed";
pub const DONE_REMOVED: &str = "passkey-removed";

/// A passkey in the Authentication page's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasskeyView {
    pub id: i64,
    pub name: String,
    /// In the person's own time zone and formats.
    pub added_on: String,
    pub last_used: Option<String>,
}

/// The start of adding a passkey.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Registration {
    /// For `navigator.credentials.create()`, in WebAuthn's JSON form.
    pub options: String,
    /// A name for a passkey kept by this browser or its system, e.g. "Passkey on Linux".
    pub this_device: String,
}

#[cfg(feature = "ssr")]
use crate::caller::Caller;

/// The options for `navigator.credentials.create()` to add a passkey (needs a recent
/// password or code check, as linking a device does). The ceremony's token stays in the
/// session; the browser never holds it.
#[server(endpoint = "passkeys/options", output = crate::codec::Json)]
pub async fn passkey_options() -> Result<Registration, AppError> {
    let caller = Caller::recently_authenticated().await?;
    let started = service::start_registration(&caller.state, &caller.user).await?;
    ceremony::keep(&caller.session, ceremony::REGISTER, &started.token).await?;
    Ok(Registration {
        options: started.options,
        this_device: service::device_name(&caller.client),
    })
}

/// Saves the passkey the browser made (`response`: its `toJSON()`), named `name`. The first
/// second factor's recovery codes are kept for the page the browser loads next, which shows
/// them once. The name as saved.
#[server(endpoint = "passkeys/add", output = crate::codec::Json)]
pub async fn add_passkey(name: String, response: String) -> Result<String, AppError> {
    let caller = Caller::recently_authenticated().await?;
    let token = ceremony::get(&caller.session, ceremony::REGISTER).await?;
    let added = service::finish_registration(
        &caller.state,
        &caller.user,
        &token,
        &name,
        &response,
        &caller.client,
    )
    .await?;
    ceremony::forget(&caller.session, ceremony::REGISTER).await?;
    if !added.recovery_codes.is_empty() {
        crate::two_factor::keep_recovery_codes(&caller, &added.recovery_codes).await?;
    }
    Ok(added.name)
}

/// Which ceremony a browser started, by the session key that holds its token.
#[cfg(feature = "ssr")]
pub mod ceremony {
    use tower_sessions::Session;

    use super::FIELD;
    use crate::error::AppError;
    use crate::session::session_error;

    pub const REGISTER: &str = "passkey.register";
    pub const SECOND_FACTOR: &str = "passkey.second_factor";
    pub const SIGN_IN: &str = "passkey.sign_in";

    pub async fn keep(session: &Session, key: &str, token: &str) -> Result<(), AppError> {
        session.insert(key, token).await.map_err(session_error)
    }

    /// The token, left in place: the database's row is what works once, and a refused name
    /// may send the same answer again.
    pub async fn get(session: &Session, key: &str) -> Result<String, AppError> {
        session
            .get::<String>(key)
            .await
            .map_err(session_error)?
            .ok_or_else(|| {
                AppError::field(FIELD, "Please start again: no passkey request is open.")
            })
    }

    pub async fn forget(session: &Session, key: &str) -> Result<(), AppError> {
        session
            .remove_value(key)
            .await
            .map(drop)
            .map_err(session_error)
    }
}
