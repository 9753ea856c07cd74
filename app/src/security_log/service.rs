//! The person's security log: what happened to the way they sign in (two-factor devices,
//! recovery codes, wrong codes, SSH keys, password changes and resets, the email address
//! confirmed) and the sign-in history (sign-ins, wrong passwords, lock-outs, sessions ended),
//! shown on the Authentication page and kept for a set number of days.

use sqlx::AnyConnection;

use crate::clock::now_unix;
use crate::db::security_log::{self, NewEvent};
use crate::db::users::User;
use crate::error::AppError;
use crate::session::{ClientInfo, SignInMethod};
use crate::state::AppState;

use super::{EventView, LogPage};

/// Events on one page of the log.
pub const PAGE_SIZE: i64 = 20;

/// What can be recorded; the stored `kind` is `as_str()`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    DeviceLinked,
    DeviceRemoved,
    DeviceRenamed,
    TwoFactorOff,
    RecoveryCodesCreated,
    RecoveryCodeUsed,
    CodeFailed,
    CodeReplayed,
    SshKeyAdded,
    SshKeyRemoved,
    PasswordChanged,
    PasswordReset,
    EmailVerified,
    /// `detail` is the [`SignInMethod`]'s stored name.
    SignedIn,
    /// A wrong password for this account at sign-in (the person trying is not told which
    /// part was wrong; the owner is).
    PasswordFailed,
    /// Sign-in refused for a while after too many attempts; `detail` says which limit.
    LockedOut,
    /// A session ended from the Sessions list; `detail` names its browser.
    SessionEnded,
    /// "Sign out all other sessions"; `detail` is how many.
    OtherSessionsEnded,
    PasskeyAdded,
    PasskeyRenamed,
    PasskeyRemoved,
    /// A passkey signed in (alone or as the second factor); `detail` is its name.
    PasskeyUsed,
    /// A passkey's signature counter did not go up: it may have been copied. Refused.
    PasskeyCounterAnomaly,
}

impl Event {
    const ALL: [Event; 23] = [
        Event::DeviceLinked,
        Event::DeviceRemoved,
        Event::DeviceRenamed,
        Event::TwoFactorOff,
        Event::RecoveryCodesCreated,
        Event::RecoveryCodeUsed,
        Event::CodeFailed,
        Event::CodeReplayed,
        Event::SshKeyAdded,
        Event::SshKeyRemoved,
        Event::PasswordChanged,
        Event::PasswordReset,
        Event::EmailVerified,
        Event::SignedIn,
        Event::PasswordFailed,
        Event::LockedOut,
        Event::SessionEnded,
        Event::OtherSessionsEnded,
        Event::PasskeyAdded,
        Event::PasskeyRenamed,
        Event::PasskeyRemoved,
        Event::PasskeyUsed,
        Event::PasskeyCounterAnomaly,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Event::DeviceLinked => "device_linked",
            Event::DeviceRemoved => "device_removed",
            Event::DeviceRenamed => "device_renamed",
            Event::TwoFactorOff => "two_factor_off",
            Event::RecoveryCodesCreated => "recovery_codes_created",
            Event::RecoveryCodeUsed => "recovery_code_used",
            Event::CodeFailed => "code_failed",
            Event::CodeReplayed => "code_replayed",
            Event::SshKeyAdded => "ssh_key_added",
            Event::SshKeyRemoved => "ssh_key_removed",
            Event::PasswordChanged => "password_changed",
            Event::PasswordReset => "password_reset",
            Event::EmailVerified => "email_verified",
            Event::SignedIn => "signed_in",
            Event::PasswordFailed => "password_failed",
            Event::LockedOut => "locked_out",
            Event::SessionEnded => "session_ended",
            Event::OtherSessionsEnded => "other_sessions_ended",
            Event::PasskeyAdded => "passkey_added",
            Event::PasskeyRenamed => "passkey_renamed",
            Event::PasskeyRemoved => "passkey_removed",
            Event::PasskeyUsed => "passkey_used",
            Event::PasskeyCounterAnomaly => "passkey_counter_anomaly",
        }
    }

    /// The sentence the log shows; `detail` is what was recorded with the event.
    fn describe(self, detail: &str) -> String {
        match self {
            Event::DeviceLinked => format!("Linked the device \u{201c}{detail}\u{201d}"),
            Event::DeviceRemoved => format!("Removed the device \u{201c}{detail}\u{201d}"),
            Event::DeviceRenamed => format!("Renamed a device: {detail}"),
            Event::TwoFactorOff => {
                "Two-factor authentication turned off (last device removed)".into()
            }
            Event::RecoveryCodesCreated => {
                "New recovery codes created; older ones no longer work".into()
            }
            Event::RecoveryCodeUsed => format!("Used a recovery code ({detail} left)"),
            Event::CodeFailed => format!("Wrong authentication code ({detail})"),
            Event::CodeReplayed => format!("Refused a code that was already used ({detail})"),
            Event::SshKeyAdded => format!("Added the SSH key {detail}"),
            Event::SshKeyRemoved => format!("Deleted the SSH key {detail}"),
            Event::PasswordChanged => "Changed the password; other sessions were logged out".into(),
            Event::PasswordReset => {
                "Reset the password by email link; every session was logged out".into()
            }
            Event::EmailVerified => format!("Confirmed the email address {detail}"),
            Event::SignedIn => format!(
                "Signed in ({})",
                SignInMethod::parse(detail).describe().to_lowercase()
            ),
            Event::PasswordFailed => "Wrong password at sign-in".into(),
            Event::LockedOut => format!("Sign-in paused after too many attempts ({detail})"),
            Event::SessionEnded => format!("Signed out a session ({detail})"),
            Event::OtherSessionsEnded => match detail {
                "1" => "Signed out 1 other session".into(),
                n => format!("Signed out all other sessions ({n})"),
            },
            Event::PasskeyAdded => format!("Added the passkey \u{201c}{detail}\u{201d}"),
            Event::PasskeyRenamed => format!("Renamed a passkey: {detail}"),
            Event::PasskeyRemoved => format!("Removed the passkey \u{201c}{detail}\u{201d}"),
            Event::PasskeyUsed => format!("Used the passkey \u{201c}{detail}\u{201d}"),
            Event::PasskeyCounterAnomaly => format!(
                "Refused the passkey \u{201c}{detail}\u{201d}: its use counter went back, \
                 so it may have been copied"
            ),
        }
    }
}

/// Records an event on its own.
pub async fn record(
    state: &AppState,
    user_id: i64,
    event: Event,
    detail: &str,
    client: &ClientInfo,
) -> Result<(), AppError> {
    let mut conn = state.db.acquire().await?;
    record_in(&mut conn, user_id, event, detail, client).await
}

/// Records an event as part of the change it is about (on the change's transaction).
pub async fn record_in(
    conn: &mut AnyConnection,
    user_id: i64,
    event: Event,
    detail: &str,
    client: &ClientInfo,
) -> Result<(), AppError> {
    let addr = client.addr.map(|a| a.to_string());
    security_log::record(
        conn,
        &NewEvent {
            user_id,
            kind: event.as_str(),
            detail,
            client_addr: addr.as_deref(),
            user_agent: client.user_agent.as_deref(),
            now: now_unix(),
        },
    )
    .await?;
    Ok(())
}

/// One page of the log, newest first, older than the event `before` if given; times in the
/// user's own zone and formats.
pub async fn page(state: &AppState, user: &User, before: Option<i64>) -> Result<LogPage, AppError> {
    let mut rows = security_log::page(&state.db, user.id, before, PAGE_SIZE + 1).await?;
    let more = rows.len() > PAGE_SIZE as usize;
    rows.truncate(PAGE_SIZE as usize);
    let older = more.then(|| rows.last().map(|e| e.id)).flatten();
    let events = rows
        .into_iter()
        .map(|e| {
            let client = ClientInfo {
                addr: None,
                user_agent: e.user_agent,
            };
            EventView {
                when: user.preferences.show(e.created_at),
                what: Event::ALL
                    .into_iter()
                    .find(|k| k.as_str() == e.kind)
                    .map(|k| k.describe(&e.detail))
                    // A kind from a newer version: still readable.
                    .unwrap_or_else(|| e.kind.replace('_', " ")),
                address: e.client_addr,
                browser: client.user_agent.is_some().then(|| client.browser()),
            }
        })
        .collect();
    Ok(LogPage { events, older })
}

/// Deletes what is older than the retention period.
pub async fn prune(state: &AppState, now: i64) -> Result<u64, AppError> {
    let cutoff = now - state.settings.security_log_retention_secs;
    Ok(security_log::prune(&state.db, cutoff).await?)
}
