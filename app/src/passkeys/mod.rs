//! Passkeys and security keys (WebAuthn): phishing-resistant second factor and sign-in with
//! a passkey alone.

#[cfg(feature = "ssr")]
pub mod service;

use leptos::prelude::*;

use crate::error::AppError;

#[cfg(feature = "ssr")]
use crate::caller::Caller;

/// The options for `navigator.credentials.create()` to add a passkey (needs a recent
/// password or code check, as linking a device does). The ceremony's token stays in the
/// session; the browser never holds it.
#[server(endpoint = "passkeys/options")]
pub async fn passkey_options() -> Result<String, AppError> {
    let caller = Caller::recently_authenticated().await?;
    let started = service::start_registration(&caller.state, &caller.user).await?;
    ceremony::keep(&caller.session, ceremony::REGISTER, &started.token).await?;
    Ok(started.options)
}

/// Saves the passkey the browser made (`response`: its `toJSON()`), named `name`.
#[server(endpoint = "passkeys/add")]
pub async fn add_passkey(name: String, response: String) -> Result<String, AppError> {
    let caller = Caller::recently_authenticated().await?;
    let token = ceremony::get(&caller.session, ceremony::REGISTER).await?;
    let name = service::finish_registration(
        &caller.state,
        &caller.user,
        &token,
        &name,
        &response,
        &caller.client,
    )
    .await?;
    ceremony::forget(&caller.session, ceremony::REGISTER).await?;
    Ok(name)
}

#[server(endpoint = "passkeys/rename")]
pub async fn rename_passkey(passkey_id: i64, new_name: String) -> Result<(), AppError> {
    let caller = Caller::signed_in().await?;
    service::rename(
        &caller.state,
        &caller.user,
        passkey_id,
        &new_name,
        &caller.client,
    )
    .await
}

#[server(endpoint = "passkeys/remove")]
pub async fn remove_passkey(passkey_id: i64) -> Result<(), AppError> {
    let caller = Caller::recently_authenticated().await?;
    service::remove(&caller.state, &caller.user, passkey_id, &caller.client).await?;
    Ok(())
}

/// Which ceremony a browser started, by the session key that holds its token.
#[cfg(feature = "ssr")]
pub mod ceremony {
    use tower_sessions::Session;

    use super::service::FIELD;
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
