//! What every server function reaches through the Leptos context.

use std::sync::Arc;

use axum::extract::FromRef;
use leptos::prelude::*;

use crate::db::outbox::Outbox;
use crate::db::Db;
use crate::error::AppError;
use crate::password::PasswordHasher;
use crate::secrets::SecretBox;

/// The settings domain code needs; the server loads them from `Leptos.toml` and the
/// environment (see the server crate's `config` module).
#[derive(Debug, Clone)]
pub struct Settings {
    /// Shown in the header and used later as the TOTP issuer.
    pub product_name: String,
    /// Origin the product is reached at, e.g. `https://settings.example.com`.
    pub public_url: String,
    pub session_idle_secs: i64,
    pub session_absolute_secs: i64,
    pub login_attempts_per_account: i64,
    pub login_failures_per_address: i64,
    pub login_window_secs: i64,
    /// Wrong passwords in a row, from browsers that never signed in to the account, after
    /// which only its owner's own browsers (or a password reset) get in: NIST SP 800-63B
    /// allows at most 100.
    pub login_lockout_failures: i64,
    /// Wrong two-factor codes per account in one login window.
    pub code_failures_per_account: i64,
    /// How long a password or code check allows sensitive actions without asking again.
    pub reauth_secs: i64,
    /// How long an invitation link works.
    pub invitation_ttl_secs: i64,
    /// Invitations (new or re-sent) one account may send per hour.
    pub invitations_per_hour: i64,
    /// How long an email verification link works.
    pub verification_ttl_secs: i64,
    /// How long a password reset link works.
    pub reset_ttl_secs: i64,
    /// Reset or verification mails one address (or one person) may ask for per hour.
    pub mail_requests_per_hour: i64,
    /// Reset requests one client address may make per hour, whatever the email.
    pub mail_requests_per_client_per_hour: i64,
    /// How long the security log keeps an event.
    pub security_log_retention_secs: i64,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            product_name: "Tessera".to_owned(),
            public_url: "http://localhost:3000".to_owned(),
            session_idle_secs: 30 * 60,
            session_absolute_secs: 12 * 3600,
            login_attempts_per_account: 10,
            login_failures_per_address: 50,
            login_window_secs: 15 * 60,
            login_lockout_failures: 100,
            code_failures_per_account: 5,
            reauth_secs: 5 * 60,
            invitation_ttl_secs: 7 * 24 * 3600,
            invitations_per_hour: 20,
            verification_ttl_secs: 24 * 3600,
            reset_ttl_secs: 3600,
            mail_requests_per_hour: 5,
            mail_requests_per_client_per_hour: 20,
            security_log_retention_secs: 90 * 86_400,
        }
    }
}

/// Everything a request may need, shared by all of them. Cloned into every request's context
/// several times, so it is one `Arc`: a clone is one reference count, not a copy of the
/// cipher state and the site options.
#[derive(Clone)]
pub struct AppState(Arc<Services>);

pub struct Services {
    pub leptos_options: LeptosOptions,
    pub db: Db,
    pub settings: Settings,
    pub hasher: PasswordHasher,
    /// Encrypts device secrets and keys recovery-code hashes.
    pub secrets: SecretBox,
    /// Wakes this process's mail worker after a change queued mail.
    pub outbox: Outbox,
    /// Passkeys' relying party (see [`relying_party`]); `None` turns passkeys off.
    pub relying_party: Option<webauthn_rs::Webauthn>,
}

/// The WebAuthn relying party for `settings.public_url`: its host is the relying-party id and
/// its origin the only one accepted. `None` when the host is an IP address, which WebAuthn
/// does not allow as a relying-party id.
pub fn relying_party(settings: &Settings) -> Option<webauthn_rs::Webauthn> {
    let origin = webauthn_rs::prelude::Url::parse(&settings.public_url).ok()?;
    let domain = origin.domain()?;
    webauthn_rs::WebauthnBuilder::new(domain, &origin)
        .and_then(|b| b.rp_name(&settings.product_name).build())
        .inspect_err(|e| tracing::error!("passkeys are off: {e}"))
        .ok()
}

impl std::ops::Deref for AppState {
    type Target = Services;

    fn deref(&self) -> &Services {
        &self.0
    }
}

/// leptos_axum's handlers take the site options out of the router state.
impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

impl AppState {
    pub fn new(services: Services) -> Self {
        Self(Arc::new(services))
    }

    /// The state inside a server function or a server-side render.
    pub fn get() -> Result<Self, AppError> {
        use_context::<AppState>().ok_or_else(|| {
            tracing::error!("AppState missing from the Leptos context");
            AppError::Internal
        })
    }
}
