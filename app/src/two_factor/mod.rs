//! Two-factor authentication with authenticator apps: any number of named devices, linked
//! by a step-by-step wizard, plus recovery codes and the security log. The section lives on
//! the Authentication page; the login's code step is in `sign_in`.

mod page;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod totp;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
pub use page::{adding_a_second_factor, TwoFactorSection};

pub const DEVICE_NAME_MAX_CHARS: usize = 64;

/// The page the section lives on.
pub const PAGE: &str = "/settings/authentication";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TwoFactorStatus {
    pub devices: Vec<DeviceView>,
    /// Passkeys are second factors too, listed with the devices.
    pub passkeys: Vec<crate::passkeys::PasskeyView>,
    /// False when the site is reached by an IP address, which cannot hold passkeys.
    pub passkeys_available: bool,
    /// A wizard started and not finished (nor expired): reloading resumes it.
    pub pending: Option<PendingDevice>,
    pub recovery_codes_left: i64,
    /// What a form posted without JavaScript made, for the page after its redirect to show.
    pub shown_once: ShownOnce,
    /// The recent-password window linking needs, for the wizard to say when it closes.
    pub access: crate::sudo::AccessClock,
}

/// Results that exist only in the response of the action that made them (recovery codes are
/// stored hashed). A form posted without JavaScript, or before its island loaded, gets a
/// redirect instead of that response, so they are kept in the session, sealed with the
/// server key, until the next page of that session shows them: once.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShownOnce {
    /// The wizard's last step: the device just linked, with the first device's codes.
    pub linked: Option<Linked>,
    /// Codes made by "Regenerate".
    pub recovery_codes: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceView {
    pub id: i64,
    pub name: String,
    /// In the user's own time zone and formats.
    pub linked_on: String,
    pub last_used: Option<String>,
}

/// What the wizard's scan step shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingDevice {
    pub id: i64,
    pub name: String,
    /// `data:image/svg+xml,...` of the otpauth URI.
    pub qr_code: String,
    /// Base32, grouped by four for reading.
    pub setup_key: String,
}

/// The wizard's last step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Linked {
    pub name: String,
    /// Shown once, with the first device only.
    pub recovery_codes: Vec<String>,
}

#[cfg(feature = "ssr")]
use crate::caller::Caller;

/// A setup key in the making is shown only within the recent-password window that linking
/// needs: after it, the wizard starts over (and asks for the password).
#[server(endpoint = "two-factor", output = crate::codec::Json)]
pub async fn two_factor_overview() -> Result<TwoFactorStatus, AppError> {
    let caller = Caller::signed_in().await?;
    let show_pending = caller.is_recently_authenticated().await;
    let mut status = service::overview(&caller.state, &caller.user, show_pending).await?;
    status.shown_once = shown_once::take(&caller).await?;
    status.access = caller.access_clock().await?;
    Ok(status)
}

/// Wizard step "name" (needs a recent password or code check).
#[server(endpoint = "two-factor/begin", output = crate::codec::Json)]
pub async fn begin_linking(name: String) -> Result<PendingDevice, AppError> {
    let caller = Caller::recently_authenticated().await?;
    let pending = service::begin_linking(&caller.state, &caller.user, &name).await?;
    crate::ui::redirect_plain_post(&format!("{PAGE}?wizard=scan"));
    Ok(pending)
}

/// Wizard step "confirm" (needs a recent password or code check).
#[server(endpoint = "two-factor/finish", output = crate::codec::Json)]
pub async fn finish_linking(device_id: i64, code: String) -> Result<Linked, AppError> {
    let caller = Caller::recently_authenticated().await?;
    let linked = service::finish_linking(
        &caller.state,
        &caller.user,
        device_id,
        &code,
        &caller.client,
    )
    .await?;
    if crate::ui::redirect_plain_post(&format!("{PAGE}?wizard=done")) {
        shown_once::keep(&caller, shown_once::LINKED, &linked).await?;
    }
    Ok(linked)
}

#[server(endpoint = "two-factor/cancel", output = crate::codec::Json)]
pub async fn cancel_linking() -> Result<(), AppError> {
    let caller = Caller::signed_in().await?;
    service::cancel_linking(&caller.state, &caller.user).await?;
    crate::ui::redirect_plain_post(PAGE);
    Ok(())
}

/// Which kind of second factor a form names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FactorKind {
    /// An authenticator app (a linked device).
    App,
    Passkey,
}

/// Renames one of the person's second factors, an app or a passkey: the list shows both
/// kinds with the same forms.
#[server(endpoint = "two-factor/rename", output = crate::codec::Json)]
pub async fn rename_factor(kind: FactorKind, id: i64, new_name: String) -> Result<(), AppError> {
    let caller = Caller::signed_in().await?;
    let (state, user, client) = (&caller.state, &caller.user, &caller.client);
    match kind {
        FactorKind::App => service::rename(state, user, id, &new_name, client).await?,
        FactorKind::Passkey => {
            crate::passkeys::service::rename(state, user, id, &new_name, client).await?
        }
    }
    crate::ui::confirm_plain_post(match kind {
        FactorKind::App => page::DONE_RENAMED,
        FactorKind::Passkey => crate::passkeys::DONE_RENAMED,
    });
    Ok(())
}

/// Removes one of the person's second factors; it stops working at once. The last one turns
/// two-factor authentication off.
#[server(endpoint = "two-factor/remove", output = crate::codec::Json)]
pub async fn remove_factor(kind: FactorKind, id: i64) -> Result<(), AppError> {
    let caller = Caller::recently_authenticated().await?;
    let (state, user, client) = (&caller.state, &caller.user, &caller.client);
    match kind {
        FactorKind::App => service::remove(state, user, id, client).await?,
        FactorKind::Passkey => crate::passkeys::service::remove(state, user, id, client).await?,
    }
    crate::ui::confirm_plain_post(match kind {
        FactorKind::App => page::DONE_REMOVED,
        FactorKind::Passkey => crate::passkeys::DONE_REMOVED,
    });
    Ok(())
}

#[server(endpoint = "two-factor/recovery-codes", output = crate::codec::Json)]
pub async fn regenerate_recovery_codes() -> Result<Vec<String>, AppError> {
    let caller = Caller::recently_authenticated().await?;
    let codes =
        service::regenerate_recovery_codes(&caller.state, &caller.user, &caller.client).await?;
    if crate::ui::redirect_plain_post(&format!("{PAGE}#{}", page::RECOVERY_CODES_ID)) {
        shown_once::keep(&caller, shown_once::RECOVERY_CODES, &codes).await?;
    }
    Ok(codes)
}

/// Recovery codes made outside this section (with the first passkey), for the
/// Authentication page the browser loads next to show once.
#[cfg(feature = "ssr")]
pub async fn keep_recovery_codes(caller: &Caller, codes: &[String]) -> Result<(), AppError> {
    shown_once::keep(caller, shown_once::RECOVERY_CODES, &codes).await
}

/// [`ShownOnce`] in the session.
#[cfg(feature = "ssr")]
mod shown_once {
    use serde::de::DeserializeOwned;
    use serde::Serialize;

    use super::ShownOnce;
    use crate::caller::Caller;
    use crate::db::users::User;
    use crate::error::AppError;
    use crate::session::session_error;

    pub const LINKED: &str = "shown_once.linked";
    pub const RECOVERY_CODES: &str = "shown_once.recovery_codes";

    /// Bound to the person as well as the session: the seal opens only for them.
    fn context(user: &User, key: &str) -> String {
        format!("{key}:{}", user.id)
    }

    pub async fn keep(
        caller: &Caller,
        key: &'static str,
        value: &impl Serialize,
    ) -> Result<(), AppError> {
        let plain = serde_json::to_vec(value).map_err(|error| {
            tracing::error!(%error, "serialising a result to show once");
            AppError::Internal
        })?;
        let sealed = caller
            .state
            .secrets
            .seal(&plain, &context(&caller.user, key))?;
        caller
            .session
            .insert(key, sealed)
            .await
            .map_err(session_error)
    }

    /// Removes what is kept, so a reload or another tab shows it no more.
    pub async fn take(caller: &Caller) -> Result<ShownOnce, AppError> {
        Ok(ShownOnce {
            linked: take_one(caller, LINKED).await?,
            recovery_codes: take_one(caller, RECOVERY_CODES).await?,
        })
    }

    async fn take_one<T: DeserializeOwned>(
        caller: &Caller,
        key: &'static str,
    ) -> Result<Option<T>, AppError> {
        let session = &caller.session;
        // Read before removing: a removal saves the session, and most pages have nothing kept.
        let Some(sealed) = session.get::<String>(key).await.map_err(session_error)? else {
            return Ok(None);
        };
        session.remove_value(key).await.map_err(session_error)?;
        let plain = caller
            .state
            .secrets
            .open(&sealed, &context(&caller.user, key))?;
        serde_json::from_slice(&plain).map(Some).map_err(|error| {
            tracing::error!(%error, "reading a result to show once");
            AppError::Internal
        })
    }
}
