//! Two-factor authentication: linking devices, checking codes, recovery codes and the
//! security log. Server functions call in here after checking the session.

use sqlx::AnyConnection;

use aes_gcm::aead::rand_core::RngCore;
use aes_gcm::aead::OsRng;

use super::totp::{self, SECRET_BYTES};
use super::{DeviceView, Linked, PendingDevice, TwoFactorStatus, DEVICE_NAME_MAX_CHARS};
use crate::clock::now_unix;
use crate::db::users::User;
use crate::db::{is_unique_violation, throttle, two_factor as devices};
use crate::error::AppError;
use crate::secrets::SecretBox;
use crate::security_log::{self, Event};
use crate::session::ClientInfo;
use crate::state::AppState;

/// How long a started wizard keeps its device secret.
pub const PENDING_SECS: i64 = 15 * 60;
pub const RECOVERY_CODE_COUNT: usize = 10;

/// Device names: required, at most 64 characters, no control characters. Returns the name
/// as stored and its case-insensitive key.
pub fn validate_device_name(input: &str) -> Result<(String, String), String> {
    crate::text::keyed_name(
        input,
        DEVICE_NAME_MAX_CHARS,
        "device name",
        "Enter a name for this device, e.g. \u{201c}Work phone\u{201d}.",
    )
}

const DUPLICATE_NAME: &str = "You already have a device with this name. Choose another one.";

fn context(user: &User) -> String {
    SecretBox::device_context(user.id)
}

async fn log(
    state: &AppState,
    user: &User,
    event: Event,
    detail: &str,
    client: &ClientInfo,
) -> Result<(), AppError> {
    security_log::record(state, user.id, event, detail, client).await
}

async fn notify(
    conn: &mut AnyConnection,
    state: &AppState,
    user: &User,
    subject: &str,
    what: &str,
    client: &ClientInfo,
) -> Result<(), AppError> {
    crate::mail::notify(conn, &state.settings, user, subject, what, client).await?;
    Ok(())
}

/// Everything the Authentication page shows about two-factor authentication.
/// `show_pending`: whether an unfinished setup (with its secret) may be shown.
pub async fn overview(
    state: &AppState,
    user: &User,
    show_pending: bool,
) -> Result<TwoFactorStatus, AppError> {
    let now = now_unix();
    let show = |t: i64| user.preferences.show(t);
    let devices = devices::confirmed(&state.db, user.id)
        .await?
        .into_iter()
        .map(|d| DeviceView {
            id: d.id,
            name: d.name,
            linked_on: show(d.confirmed_at.unwrap_or(d.created_at)),
            last_used: d.last_used_at.map(show),
        })
        .collect();
    let pending = match devices::pending(&state.db, user.id, now - PENDING_SECS).await? {
        Some(device) if show_pending => Some(pending_view(state, user, &device)?),
        _ => None,
    };
    let passkeys = crate::db::passkeys::of_user(&state.db, user.id)
        .await?
        .into_iter()
        .map(|p| crate::passkeys::PasskeyView {
            id: p.id,
            name: p.name,
            added_on: show(p.created_at),
            last_used: p.last_used_at.map(show),
        })
        .collect();
    Ok(TwoFactorStatus {
        devices,
        passkeys,
        passkeys_available: state.relying_party.is_some(),
        pending,
        recovery_codes_left: devices::recovery_codes_left(&mut *state.db.acquire().await?, user.id)
            .await?,
        shown_once: Default::default(),
        access: Default::default(),
    })
}

/// The wizard's scan step for a pending device: the same secret every time it is shown.
fn pending_view(
    state: &AppState,
    user: &User,
    device: &devices::Device,
) -> Result<PendingDevice, AppError> {
    let secret = state.secrets.open(&device.secret, &context(user))?;
    let key = totp::base32(&secret);
    let uri = totp::otpauth_uri(
        &state.settings.product_name,
        &user.email,
        &device.name,
        &key,
    );
    Ok(PendingDevice {
        id: device.id,
        name: device.name.clone(),
        qr_code: qr_data_uri(&uri)?,
        setup_key: totp::group_key(&key),
    })
}

fn qr_data_uri(uri: &str) -> Result<String, AppError> {
    let code = qrcode::QrCode::new(uri.as_bytes()).map_err(|error| {
        tracing::error!(%error, "QR code");
        AppError::Internal
    })?;
    let svg = code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(200, 200)
        .build();
    Ok(format!("data:image/svg+xml,{}", totp::encode(&svg)))
}

/// Wizard step "name": checks the name and makes the device's secret. Any earlier
/// unfinished wizard of the user is dropped.
pub async fn begin_linking(
    state: &AppState,
    user: &User,
    name: &str,
) -> Result<PendingDevice, AppError> {
    let (name, key) = validate_device_name(name).map_err(|m| AppError::field("name", m))?;
    if devices::name_taken(&state.db, user.id, &key, None).await? {
        return Err(AppError::field("name", DUPLICATE_NAME));
    }
    let mut secret = [0u8; SECRET_BYTES];
    OsRng.fill_bytes(&mut secret);
    let sealed = state.secrets.seal(&secret, &context(user))?;
    let device = devices::start_pending(&state.db, user.id, &name, &key, &sealed, now_unix())
        .await
        .map_err(|e| {
            if is_unique_violation(&e) {
                AppError::field("name", DUPLICATE_NAME)
            } else {
                e.into()
            }
        })?;
    pending_view(state, user, &device)
}

/// Wizard step "confirm": a correct code from the new app links the device. The first
/// device also brings ten recovery codes, returned here once and stored hashed.
pub async fn finish_linking(
    state: &AppState,
    user: &User,
    device_id: i64,
    code: &str,
    client: &ClientInfo,
) -> Result<Linked, AppError> {
    let code = totp::normalize_code(code).map_err(|m| AppError::field("code", m))?;
    let now = now_unix();
    count_code_attempt(state, user, now, client).await?;
    let device = devices::pending(&state.db, user.id, now - PENDING_SECS)
        .await?
        .filter(|d| d.id == device_id)
        .ok_or_else(|| {
            AppError::field(
                "code",
                "This setup ran out of time or was replaced. Start again with the device name.",
            )
        })?;
    let secret = state.secrets.open(&device.secret, &context(user))?;
    let Some(step) = totp::matching_step(&secret, &code, now) else {
        log(
            state,
            user,
            Event::CodeFailed,
            &format!("linking \u{201c}{}\u{201d}", device.name),
            client,
        )
        .await?;
        return Err(AppError::field(
            "code",
            "That code is not correct. Check the app shows this device's code and try the newest one.",
        ));
    };
    let first = !devices::has_second_factor(&mut *state.db.acquire().await?, user.id).await?;
    let recovery = first.then(new_recovery_codes);
    let hashes = recovery.as_ref().map(|codes| hash_codes(state, codes));
    // The link, its log entries and the notification commit together.
    let mut tx = crate::db::begin_write(&state.db).await?;
    let linked = devices::confirm(
        &mut tx,
        user.id,
        device.id,
        step,
        now,
        now - PENDING_SECS,
        hashes.as_deref(),
    )
    .await
    .map_err(|e| {
        if is_unique_violation(&e) {
            AppError::field("code", DUPLICATE_NAME)
        } else {
            e.into()
        }
    })?;
    if !linked {
        return Err(AppError::field(
            "code",
            "This setup ran out of time. Start again with the device name.",
        ));
    }
    security_log::record_in(&mut tx, user.id, Event::DeviceLinked, &device.name, client).await?;
    if recovery.is_some() {
        security_log::record_in(&mut tx, user.id, Event::RecoveryCodesCreated, "", client).await?;
    }
    let what = format!(
        "The authenticator device \u{201c}{}\u{201d} was linked to your account for two-factor authentication.",
        device.name
    );
    notify(
        &mut tx,
        state,
        user,
        "authenticator device linked",
        &what,
        client,
    )
    .await?;
    tx.commit().await?;
    state.outbox.wake();
    throttle::clear(&state.db, &code_throttle_key(user)).await?;
    Ok(Linked {
        name: device.name,
        recovery_codes: recovery.unwrap_or_default(),
    })
}

pub async fn cancel_linking(state: &AppState, user: &User) -> Result<(), AppError> {
    devices::delete_pending(&state.db, user.id).await?;
    Ok(())
}

pub async fn rename(
    state: &AppState,
    user: &User,
    device_id: i64,
    name: &str,
    client: &ClientInfo,
) -> Result<(), AppError> {
    let (name, key) = validate_device_name(name).map_err(|m| AppError::field("new_name", m))?;
    let old = devices::confirmed(&state.db, user.id)
        .await?
        .into_iter()
        .find(|d| d.id == device_id)
        .ok_or(AppError::NotFound)?;
    if devices::name_taken(&state.db, user.id, &key, Some(device_id)).await? {
        return Err(AppError::field("new_name", DUPLICATE_NAME));
    }
    match devices::rename(&state.db, user.id, device_id, &name, &key).await {
        Ok(true) => {}
        Ok(false) => return Err(AppError::NotFound),
        Err(e) if is_unique_violation(&e) => {
            return Err(AppError::field("new_name", DUPLICATE_NAME))
        }
        Err(e) => return Err(e.into()),
    }
    let detail = format!("\u{201c}{}\u{201d} is now \u{201c}{name}\u{201d}", old.name);
    log(state, user, Event::DeviceRenamed, &detail, client).await
}

/// Removes a device; its codes stop working at once. The last one turns two-factor off.
pub async fn remove(
    state: &AppState,
    user: &User,
    device_id: i64,
    client: &ClientInfo,
) -> Result<(), AppError> {
    let mut tx = crate::db::begin_write(&state.db).await?;
    let (name, any_left) = devices::remove(&mut tx, user.id, device_id)
        .await?
        .ok_or(AppError::NotFound)?;
    security_log::record_in(&mut tx, user.id, Event::DeviceRemoved, &name, client).await?;
    let what = format!(
        "The authenticator device \u{201c}{name}\u{201d} was removed from your account; its codes no longer work."
    );
    finish_removal(
        tx,
        state,
        user,
        any_left,
        "authenticator device removed",
        what,
        client,
    )
    .await
}

/// The end of removing a second factor (a device or a passkey), whose removal and log entry
/// are in `tx`: the last one turns two-factor off (logged, and said in the mail), and the
/// mail commits with the rest.
pub async fn finish_removal(
    mut tx: sqlx::Transaction<'static, sqlx::Any>,
    state: &AppState,
    user: &User,
    any_left: bool,
    subject: &str,
    mut what: String,
    client: &ClientInfo,
) -> Result<(), AppError> {
    if !any_left {
        security_log::record_in(&mut tx, user.id, Event::TwoFactorOff, "", client).await?;
        what.push_str(" It was your last second factor: two-factor authentication is now off.");
    }
    notify(&mut tx, state, user, subject, &what, client).await?;
    tx.commit().await?;
    state.outbox.wake();
    Ok(())
}

/// New recovery codes; the old ones stop working. Only with two-factor on.
pub async fn regenerate_recovery_codes(
    state: &AppState,
    user: &User,
    client: &ClientInfo,
) -> Result<Vec<String>, AppError> {
    if !is_enabled(state, user.id).await? {
        return Err(AppError::field(
            "recovery",
            "Link a device or add a passkey first: recovery codes come with two-factor authentication.",
        ));
    }
    let codes = new_recovery_codes();
    let mut tx = crate::db::begin_write(&state.db).await?;
    devices::replace_recovery_codes(&mut tx, user.id, &hash_codes(state, &codes), now_unix())
        .await?;
    security_log::record_in(&mut tx, user.id, Event::RecoveryCodesCreated, "", client).await?;
    let what = "New recovery codes were created for your account; the old ones no longer work.";
    notify(&mut tx, state, user, "new recovery codes", what, client).await?;
    tx.commit().await?;
    state.outbox.wake();
    Ok(codes)
}

/// Whether the login asks for a second factor: a linked device or a passkey.
pub async fn is_enabled(state: &AppState, user_id: i64) -> Result<bool, AppError> {
    Ok(devices::has_second_factor(&mut *state.db.acquire().await?, user_id).await?)
}

/// Ten new recovery codes, made when the first second factor is added, stored in the
/// caller's transaction (any older ones void) and logged. The codes, to show once.
pub async fn create_recovery_codes(
    conn: &mut AnyConnection,
    state: &AppState,
    user: &User,
    client: &ClientInfo,
) -> Result<Vec<String>, AppError> {
    let codes = new_recovery_codes();
    devices::replace_recovery_codes(conn, user.id, &hash_codes(state, &codes), now_unix()).await?;
    security_log::record_in(conn, user.id, Event::RecoveryCodesCreated, "", client).await?;
    Ok(codes)
}

/// Which second factor a person used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecondFactor {
    Code,
    RecoveryCode,
}

/// The second factor at login (or to confirm access): a current code from any linked device,
/// or an unused recovery code. Wrong codes are throttled per account across all devices;
/// a code already accepted once is refused.
pub async fn verify(
    state: &AppState,
    user: &User,
    input: &str,
    client: &ClientInfo,
) -> Result<SecondFactor, AppError> {
    let now = now_unix();
    count_code_attempt(state, user, now, client).await?;
    let compact: String = input
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect::<String>()
        .to_lowercase();
    if compact.len() == RECOVERY_CODE_CHARS && compact.chars().all(|c| c.is_ascii_alphanumeric()) {
        let hash = state.secrets.mac(&compact);
        let mut tx = crate::db::begin_write(&state.db).await?;
        if devices::use_recovery_code(&mut tx, user.id, &hash, now).await? {
            let left = devices::recovery_codes_left(&mut tx, user.id).await?;
            security_log::record_in(
                &mut tx,
                user.id,
                Event::RecoveryCodeUsed,
                &left.to_string(),
                client,
            )
            .await?;
            let what = format!(
                "A recovery code was used to sign in to your account. {left} of your recovery \
                 codes are left{}.",
                if left <= 3 {
                    ": make new ones on the Authentication page soon"
                } else {
                    ""
                }
            );
            notify(
                &mut tx,
                state,
                user,
                "a recovery code was used",
                &what,
                client,
            )
            .await?;
            tx.commit().await?;
            state.outbox.wake();
            throttle::clear(&state.db, &code_throttle_key(user)).await?;
            return Ok(SecondFactor::RecoveryCode);
        }
        drop(tx);
        log(state, user, Event::CodeFailed, "recovery code", client).await?;
        return Err(AppError::field(
            "code",
            "That recovery code is not valid or was already used.",
        ));
    }
    let code = totp::normalize_code(input).map_err(|m| {
        AppError::field("code", format!("{m} Or enter one of your recovery codes."))
    })?;
    for device in devices::confirmed(&state.db, user.id).await? {
        // One unreadable secret (a row restored from elsewhere) must not stop the others.
        let secret = match state.secrets.open(&device.secret, &context(user)) {
            Ok(secret) => secret,
            Err(_) => {
                tracing::error!(
                    device = device.id,
                    user = user.id,
                    "a device secret does not decrypt with the server key; skipped"
                );
                continue;
            }
        };
        if let Some(step) = totp::matching_step(&secret, &code, now) {
            if devices::claim_step(&state.db, device.id, step, now).await? {
                throttle::clear(&state.db, &code_throttle_key(user)).await?;
                return Ok(SecondFactor::Code);
            }
            log(
                state,
                user,
                Event::CodeReplayed,
                &format!("\u{201c}{}\u{201d}", device.name),
                client,
            )
            .await?;
            return Err(AppError::field(
                "code",
                "This code was already used. Wait for the next code in your app.",
            ));
        }
    }
    log(state, user, Event::CodeFailed, "login", client).await?;
    Err(AppError::field("code", "That code is not correct."))
}

fn code_throttle_key(user: &User) -> String {
    format!("code:{}", user.id)
}

/// Counts one code check against the account's limit before it is made (so parallel
/// guesses cannot all be checked); a right code clears the count.
/// The attempt that crosses the limit is recorded for the owner, once.
async fn count_code_attempt(
    state: &AppState,
    user: &User,
    now: i64,
    client: &ClientInfo,
) -> Result<(), AppError> {
    let window = state.settings.login_window_secs;
    let limit = state.settings.code_failures_per_account;
    let count = throttle::hit(&state.db, &code_throttle_key(user), now, window).await?;
    if count.attempts == limit + 1 {
        log(
            state,
            user,
            Event::LockedOut,
            "authentication codes",
            client,
        )
        .await?;
    }
    if count.attempts > limit {
        return Err(AppError::Throttled {
            retry_after_secs: count.retry_after(now),
        });
    }
    Ok(())
}

/// Ten characters from a 32-letter alphabet: 50 random bits each.
const RECOVERY_CODE_CHARS: usize = 10;

/// Codes shown as `xxxxx-xxxxx`; lower-case base32, so no 0/O or 1/l confusion.
fn new_recovery_codes() -> Vec<String> {
    (0..RECOVERY_CODE_COUNT)
        .map(|_| {
            let mut bytes = [0u8; 7];
            OsRng.fill_bytes(&mut bytes);
            let text = totp::base32(&bytes).to_lowercase();
            format!("{}-{}", &text[..5], &text[5..RECOVERY_CODE_CHARS])
        })
        .collect()
}

fn hash_codes(state: &AppState, codes: &[String]) -> Vec<String> {
    codes
        .iter()
        .map(|c| state.secrets.mac(&c.replace('-', "")))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_names_are_required_capped_and_case_insensitive() {
        assert!(validate_device_name("   ").is_err());
        assert!(validate_device_name(&"x".repeat(65)).is_err());
        assert!(validate_device_name(&"é".repeat(64)).is_ok());
        assert!(validate_device_name("a\u{7}b").is_err());
        assert_eq!(
            validate_device_name("  Work Phone ").unwrap(),
            ("Work Phone".to_owned(), "work phone".to_owned())
        );
    }

    #[test]
    fn recovery_codes_are_ten_distinct_readable_codes() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), RECOVERY_CODE_COUNT);
        let mut unique = codes.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), RECOVERY_CODE_COUNT);
        for code in codes {
            assert_eq!(code.len(), 11, "{code}");
            assert_eq!(&code[5..6], "-");
            assert!(code
                .chars()
                .all(|c| c == '-' || c.is_ascii_lowercase() || c.is_ascii_digit()));
        }
    }
}
