//! Two-factor authentication with authenticator apps: any number of named devices, linked
//! by a step-by-step wizard, plus recovery codes and the security log. The section lives on
//! the Authentication page; the login's code step is in `auth`.

mod page;
#[cfg(feature = "ssr")]
pub mod secret_box;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod totp;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
pub use page::TwoFactorSection;

pub const DEVICE_NAME_MAX_CHARS: usize = 64;

/// The page the section lives on.
pub const PAGE: &str = "/settings/authentication";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TwoFactorStatus {
    pub devices: Vec<DeviceView>,
    /// A wizard started and not finished (nor expired): reloading resumes it.
    pub pending: Option<PendingDevice>,
    pub recovery_codes_left: i64,
    pub events: Vec<EventView>,
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventView {
    pub when: String,
    pub what: String,
    pub address: Option<String>,
}

/// The wizard's last step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Linked {
    pub name: String,
    /// Shown once, with the first device only.
    pub recovery_codes: Vec<String>,
}

#[cfg(feature = "ssr")]
async fn sensitive() -> Result<crate::db::users::User, AppError> {
    let user = crate::auth::session::require_user()?;
    let state = crate::state::AppState::get()?;
    let session = crate::auth::session::current_session().await?;
    crate::auth::session::require_recent_verification(
        &session,
        &state.settings,
        crate::preferences::zone::now_unix(),
    )
    .await?;
    Ok(user)
}

/// A setup key in the making is shown only within the recent-password window that linking
/// needs: after it, the wizard starts over (and asks for the password).
#[server(endpoint = "two-factor")]
pub async fn two_factor_overview() -> Result<TwoFactorStatus, AppError> {
    let user = crate::auth::session::require_user()?;
    let show_pending = sensitive().await.is_ok();
    service::overview(&crate::state::AppState::get()?, &user, show_pending).await
}

/// Wizard step "name" (needs a recent password or code check).
#[server(endpoint = "two-factor/begin")]
pub async fn begin_linking(name: String) -> Result<PendingDevice, AppError> {
    let user = sensitive().await?;
    let pending = service::begin_linking(&crate::state::AppState::get()?, &user, &name).await?;
    crate::components::redirect_plain_post(&format!("{PAGE}?wizard=scan"));
    Ok(pending)
}

/// Wizard step "confirm" (needs a recent password or code check).
#[server(endpoint = "two-factor/finish")]
pub async fn finish_linking(device_id: i64, code: String) -> Result<Linked, AppError> {
    let user = sensitive().await?;
    let client = crate::auth::session::client_info();
    let state = crate::state::AppState::get()?;
    let linked = service::finish_linking(&state, &user, device_id, &code, &client).await?;
    crate::components::redirect_plain_post(&format!("{PAGE}?wizard=done"));
    Ok(linked)
}

#[server(endpoint = "two-factor/cancel")]
pub async fn cancel_linking() -> Result<(), AppError> {
    let user = crate::auth::session::require_user()?;
    service::cancel_linking(&crate::state::AppState::get()?, &user).await?;
    crate::components::redirect_plain_post(PAGE);
    Ok(())
}

#[server(endpoint = "two-factor/rename")]
pub async fn rename_device(device_id: i64, new_name: String) -> Result<(), AppError> {
    let user = crate::auth::session::require_user()?;
    let addr = crate::auth::session::client_addr();
    service::rename(
        &crate::state::AppState::get()?,
        &user,
        device_id,
        &new_name,
        addr,
    )
    .await?;
    crate::components::confirm_plain_post(page::DONE_RENAMED);
    Ok(())
}

#[server(endpoint = "two-factor/remove")]
pub async fn remove_device(device_id: i64) -> Result<(), AppError> {
    let user = sensitive().await?;
    let client = crate::auth::session::client_info();
    service::remove(&crate::state::AppState::get()?, &user, device_id, &client).await?;
    crate::components::confirm_plain_post(page::DONE_REMOVED);
    Ok(())
}

#[server(endpoint = "two-factor/recovery-codes")]
pub async fn regenerate_recovery_codes() -> Result<Vec<String>, AppError> {
    let user = sensitive().await?;
    let client = crate::auth::session::client_info();
    service::regenerate_recovery_codes(&crate::state::AppState::get()?, &user, &client).await
}
