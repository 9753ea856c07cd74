//! The person's security log: what happened to the way they sign in (two-factor devices,
//! recovery codes, wrong codes, SSH keys, password changes and resets, the email address
//! confirmed), shown on the Authentication page.

use std::net::IpAddr;

use sqlx::AnyConnection;

use crate::clock::now_unix;
use crate::db::security_log;
use crate::db::users::User;
use crate::error::AppError;
use crate::state::AppState;

use super::EventView;

const ENTRIES_SHOWN: i64 = 20;

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
}

impl Event {
    const ALL: [Event; 13] = [
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
        }
    }
}

/// Records an event on its own.
pub async fn record(
    state: &AppState,
    user_id: i64,
    event: Event,
    detail: &str,
    addr: Option<IpAddr>,
) -> Result<(), AppError> {
    let mut conn = state.db.acquire().await?;
    record_in(&mut conn, user_id, event, detail, addr).await
}

/// Records an event as part of the change it is about (on the change's transaction).
pub async fn record_in(
    conn: &mut AnyConnection,
    user_id: i64,
    event: Event,
    detail: &str,
    addr: Option<IpAddr>,
) -> Result<(), AppError> {
    let addr = addr.map(|a| a.to_string());
    security_log::record(
        conn,
        user_id,
        event.as_str(),
        detail,
        addr.as_deref(),
        now_unix(),
    )
    .await?;
    Ok(())
}

/// The newest entries, with times in the user's own zone and formats.
pub async fn recent(state: &AppState, user: &User) -> Result<Vec<EventView>, AppError> {
    Ok(security_log::recent(&state.db, user.id, ENTRIES_SHOWN)
        .await?
        .into_iter()
        .map(|e| EventView {
            when: user.preferences.show(e.created_at),
            what: Event::ALL
                .into_iter()
                .find(|k| k.as_str() == e.kind)
                .map(|k| k.describe(&e.detail))
                // A kind from a newer version: still readable.
                .unwrap_or_else(|| e.kind.replace('_', " ")),
            address: e.client_addr,
        })
        .collect())
}
