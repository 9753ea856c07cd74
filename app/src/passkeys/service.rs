//! Passkeys and security keys: registration, the second factor at login, and sign-in with a
//! passkey alone. webauthn-rs checks challenges, origins, signatures and counters; this side
//! keeps each ceremony's state in the database for one use, binds every credential to its
//! owner and records what happened.

use base64ct::{Base64UrlUnpadded, Encoding};
use serde::de::DeserializeOwned;
use serde::Serialize;
use webauthn_rs::prelude::{
    DiscoverableAuthentication, Passkey as Credential, PasskeyAuthentication, PasskeyRegistration,
    PublicKeyCredential, RegisterPublicKeyCredential, Uuid, WebauthnError,
};
use webauthn_rs::Webauthn;
use webauthn_rs_proto::ResidentKeyRequirement;

use super::NAME_MAX_CHARS;
pub use super::{FIELD, NEEDS_DOMAIN};
use crate::clock::now_unix;
use crate::db::passkeys::{self as db, NewCeremony, NewPasskey, Passkey};
use crate::db::users::User;
use crate::error::AppError;
use crate::security_log::{self, Event};
use crate::session::ClientInfo;
use crate::state::AppState;

/// How long the browser's dialog may take, from the start of a ceremony to its end.
pub const CEREMONY_SECS: i64 = 5 * 60;
/// Sign-ins with a passkey alone are started by anyone (each login page asks once for its
/// autofill): this many a minute per client address, so their stored challenges stay few.
pub const SIGN_IN_STARTS_PER_MINUTE: i64 = 30;

const EXPIRED: &str = "That took too long, or the request was already used. Please try again.";
const NOT_ACCEPTED: &str =
    "The passkey was not accepted. Try again, or use another way to sign in.";
const COPIED: &str = "This passkey was refused: its use counter went back, which can mean it was copied. Use another way to sign in, and remove the passkey if you do not trust it.";
const ALREADY_LINKED: &str = "This passkey is already linked to an account.";
const DUPLICATE_NAME: &str = "You already have a passkey with this name. Choose another one.";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Purpose {
    Register,
    SecondFactor,
    SignIn,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Purpose::Register => "register",
            Purpose::SecondFactor => "second-factor",
            Purpose::SignIn => "sign-in",
        }
    }
}

/// A started ceremony: the options for the browser's `navigator.credentials` call (WebAuthn's
/// JSON form), and the token that names the ceremony's state, kept in the session.
#[derive(Debug, Clone)]
pub struct Started {
    pub options: String,
    pub token: String,
}

/// A passkey just added; the first second factor also brings recovery codes, shown once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddedPasskey {
    pub name: String,
    pub recovery_codes: Vec<String>,
}

/// The default name of a passkey this browser or its system keeps: "Passkey on Linux".
pub fn device_name(client: &ClientInfo) -> String {
    // ASCII, as the browser's suggestion compares it (woothee's names all are).
    match client.operating_system().filter(|os| os.is_ascii()) {
        Some(os) => format!("Passkey on {os}"),
        None => "Passkey".to_owned(),
    }
}

/// Passkey names: required, at most 64 characters, no control characters. The name as stored
/// and its case-insensitive key.
pub fn validate_name(input: &str) -> Result<(String, String), String> {
    crate::text::keyed_name(
        input,
        NAME_MAX_CHARS,
        "passkey name",
        "Enter a name for this passkey, e.g. \"Laptop\".",
    )
}

fn relying_party(state: &AppState) -> Result<&Webauthn, AppError> {
    state
        .relying_party
        .as_ref()
        .ok_or_else(|| AppError::field(FIELD, NEEDS_DOMAIN))
}

fn to_json<T: Serialize>(value: &T) -> Result<String, AppError> {
    serde_json::to_string(value).map_err(|e| {
        tracing::error!("passkey state does not serialise: {e}");
        AppError::Internal
    })
}

/// What the browser sent back; anything unreadable is a refused passkey, not a fault.
fn from_browser<T: DeserializeOwned>(json: &str) -> Result<T, AppError> {
    serde_json::from_str(json).map_err(|_| AppError::field(FIELD, NOT_ACCEPTED))
}

fn credential_of(passkey: &Passkey) -> Result<Credential, AppError> {
    serde_json::from_str(&passkey.credential).map_err(|e| {
        tracing::error!("stored passkey {} does not parse: {e}", passkey.id);
        AppError::Internal
    })
}

fn encode_id(id: &[u8]) -> String {
    Base64UrlUnpadded::encode_string(id)
}

async fn start(
    state: &AppState,
    user_id: Option<i64>,
    purpose: Purpose,
    ceremony: &impl Serialize,
    options: &impl Serialize,
) -> Result<Started, AppError> {
    let (token, id_hash) = crate::tokens::new_token();
    db::put_ceremony(
        &state.db,
        &NewCeremony {
            id_hash: &id_hash,
            user_id,
            purpose: purpose.as_str(),
            state: &to_json(ceremony)?,
            expires_at: now_unix() + CEREMONY_SECS,
        },
    )
    .await?;
    Ok(Started {
        options: to_json(options)?,
        token,
    })
}

/// The ceremony's state, once: taking it deletes it.
async fn take<T: DeserializeOwned>(
    state: &AppState,
    token: &str,
    user_id: Option<i64>,
    purpose: Purpose,
) -> Result<T, AppError> {
    let id_hash = crate::tokens::token_hash(token);
    let stored = db::take_ceremony(&state.db, &id_hash, user_id, purpose.as_str(), now_unix())
        .await?
        .ok_or_else(|| AppError::field(FIELD, EXPIRED))?;
    serde_json::from_str(&stored).map_err(|e| {
        tracing::error!("passkey ceremony state does not parse: {e}");
        AppError::Internal
    })
}

pub async fn list(state: &AppState, user: &User) -> Result<Vec<Passkey>, AppError> {
    Ok(db::of_user(&state.db, user.id).await?)
}

pub async fn has_any(state: &AppState, user_id: i64) -> Result<bool, AppError> {
    Ok(db::count(&state.db, user_id).await? > 0)
}

/// Starts adding a passkey: the browser's options (the person's other passkeys excluded, a
/// discoverable credential preferred so it can sign in alone).
pub async fn start_registration(state: &AppState, user: &User) -> Result<Started, AppError> {
    let rp = relying_party(state)?;
    let handle = db::ensure_user_handle(&state.db, user.id, &Uuid::new_v4().to_string()).await?;
    let handle = Uuid::parse_str(&handle).map_err(|e| {
        tracing::error!("user {} has a passkey handle that is no UUID: {e}", user.id);
        AppError::Internal
    })?;
    let exclude = list(state, user)
        .await?
        .iter()
        .map(|p| credential_of(p).map(|c| c.cred_id().clone()))
        .collect::<Result<Vec<_>, _>>()?;
    let display_name = format!("{} {}", user.first_name, user.last_name);
    let (mut options, ceremony) = rp
        .start_passkey_registration(handle, &user.email, display_name.trim(), Some(exclude))
        .map_err(|e| {
            tracing::error!("passkey registration does not start: {e}");
            AppError::Internal
        })?;
    // Passkeys that sign in alone must be discoverable; "preferred", as GitHub asks, still
    // lets a security key without room for one be a second factor.
    if let Some(selection) = options.public_key.authenticator_selection.as_mut() {
        selection.resident_key = Some(ResidentKeyRequirement::Preferred);
    }
    start(state, Some(user.id), Purpose::Register, &ceremony, &options).await
}

/// Finishes adding a passkey named `name` from the browser's `response` (its `toJSON()`).
/// The passkey, its log entry and the security mail commit together; the person's first
/// second factor also brings recovery codes, returned here once.
pub async fn finish_registration(
    state: &AppState,
    user: &User,
    token: &str,
    name: &str,
    response: &str,
    client: &ClientInfo,
) -> Result<AddedPasskey, AppError> {
    let (name, name_key) = validate_name(name).map_err(|m| AppError::field("name", m))?;
    let rp = relying_party(state)?;
    // Checked before the ceremony is used, so a corrected name can send the same answer again.
    if db::name_taken(&state.db, user.id, &name_key, None).await? {
        return Err(AppError::field("name", DUPLICATE_NAME));
    }
    let ceremony: PasskeyRegistration =
        take(state, token, Some(user.id), Purpose::Register).await?;
    let response: RegisterPublicKeyCredential = from_browser(response)?;
    let credential = rp
        .finish_passkey_registration(&response, &ceremony)
        .map_err(|e| refused("registration", &e))?;
    let credential_id = encode_id(credential.cred_id());
    let now = now_unix();
    let mut tx = crate::db::begin_write(&state.db).await?;
    let first = !crate::db::two_factor::has_second_factor(&mut tx, user.id).await?;
    let inserted = db::insert(
        &mut tx,
        &NewPasskey {
            user_id: user.id,
            credential_id: &credential_id,
            name: &name,
            name_key: &name_key,
            credential: &to_json(&credential)?,
            now,
        },
    )
    .await;
    match inserted {
        Ok(_) => {}
        Err(e) if crate::db::is_unique_violation(&e) => {
            drop(tx);
            return Err(
                if db::by_credential_id(&state.db, &credential_id)
                    .await?
                    .is_some()
                {
                    AppError::field(FIELD, ALREADY_LINKED)
                } else {
                    AppError::field("name", DUPLICATE_NAME)
                },
            );
        }
        Err(e) => return Err(e.into()),
    }
    security_log::record_in(&mut tx, user.id, Event::PasskeyAdded, &name, client).await?;
    let recovery_codes = if first {
        crate::two_factor::service::create_recovery_codes(&mut tx, state, user, client).await?
    } else {
        Vec::new()
    };
    let mut what = format!(
        "The passkey \u{201c}{name}\u{201d} was added to your account. It can now sign in to it."
    );
    if first {
        what.push_str(" Two-factor authentication is now on: logging in with your password also asks for a passkey or a code.");
    }
    crate::mail::notify(
        &mut tx,
        &state.settings,
        user,
        "A passkey was added to your account",
        &what,
        client,
    )
    .await?;
    tx.commit().await?;
    state.outbox.wake();
    Ok(AddedPasskey {
        name,
        recovery_codes,
    })
}

pub async fn rename(
    state: &AppState,
    user: &User,
    id: i64,
    name: &str,
    client: &ClientInfo,
) -> Result<(), AppError> {
    let (name, name_key) = validate_name(name).map_err(|m| AppError::field("new_name", m))?;
    let old = list(state, user)
        .await?
        .into_iter()
        .find(|p| p.id == id)
        .ok_or(AppError::NotFound)?;
    if db::name_taken(&state.db, user.id, &name_key, Some(id)).await? {
        return Err(AppError::field("new_name", DUPLICATE_NAME));
    }
    match db::rename(&state.db, user.id, id, &name, &name_key).await {
        Ok(true) => {}
        Ok(false) => return Err(AppError::NotFound),
        Err(e) if crate::db::is_unique_violation(&e) => {
            return Err(AppError::field("new_name", DUPLICATE_NAME))
        }
        Err(e) => return Err(e.into()),
    }
    let detail = format!("\u{201c}{}\u{201d} is now \u{201c}{name}\u{201d}", old.name);
    security_log::record(state, user.id, Event::PasskeyRenamed, &detail, client).await
}

/// Removes the passkey `id`; it stops signing in at once. The last second factor turns
/// two-factor off. The removal, its log entries and the security mail commit together.
pub async fn remove(
    state: &AppState,
    user: &User,
    id: i64,
    client: &ClientInfo,
) -> Result<(), AppError> {
    let mut tx = crate::db::begin_write(&state.db).await?;
    let (name, any_left) = db::delete(&mut tx, user.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    security_log::record_in(&mut tx, user.id, Event::PasskeyRemoved, &name, client).await?;
    let what = format!(
        "The passkey \u{201c}{name}\u{201d} was removed from your account; it no longer signs in."
    );
    let subject = "A passkey was removed from your account";
    crate::two_factor::service::finish_removal(tx, state, user, any_left, subject, what, client)
        .await
}

/// Starts the login's second step with one of the person's passkeys.
pub async fn start_second_factor(state: &AppState, user: &User) -> Result<Started, AppError> {
    let rp = relying_party(state)?;
    let credentials = list(state, user)
        .await?
        .iter()
        .map(credential_of)
        .collect::<Result<Vec<_>, _>>()?;
    if credentials.is_empty() {
        return Err(AppError::field(
            FIELD,
            "You have no passkey. Use a code instead.",
        ));
    }
    let (options, ceremony) = rp.start_passkey_authentication(&credentials).map_err(|e| {
        tracing::error!("passkey authentication does not start: {e}");
        AppError::Internal
    })?;
    start(
        state,
        Some(user.id),
        Purpose::SecondFactor,
        &ceremony,
        &options,
    )
    .await
}

/// Finishes the login's second step: true once one of `user`'s passkeys signed.
pub async fn finish_second_factor(
    state: &AppState,
    user: &User,
    token: &str,
    response: &str,
    client: &ClientInfo,
) -> Result<(), AppError> {
    let rp = relying_party(state)?;
    let ceremony: PasskeyAuthentication =
        take(state, token, Some(user.id), Purpose::SecondFactor).await?;
    let response: PublicKeyCredential = from_browser(response)?;
    let passkey = owned_passkey(state, &response, user.id).await?;
    let result = rp.finish_passkey_authentication(&response, &ceremony);
    record_use(state, &passkey, credential_of(&passkey)?, result, client).await
}

/// Starts a sign-in with a passkey alone (the browser offers the person's discoverable
/// credentials for this site, also in its autofill), counted against the client's address.
pub async fn start_sign_in(state: &AppState, client: &ClientInfo) -> Result<Started, AppError> {
    let rp = relying_party(state)?;
    if let Some(addr) = client.addr {
        let now = now_unix();
        let key = format!(
            "passkey-sign-in:{}",
            crate::db::throttle::address_bucket(addr)
        );
        let count = crate::db::throttle::hit(&state.db, &key, now, 60).await?;
        if count.attempts > SIGN_IN_STARTS_PER_MINUTE {
            return Err(AppError::RateLimited {
                retry_after_secs: count.retry_after(now),
            });
        }
    }
    let (options, ceremony) = rp.start_discoverable_authentication().map_err(|e| {
        tracing::error!("passkey sign-in does not start: {e}");
        AppError::Internal
    })?;
    start(state, None, Purpose::SignIn, &ceremony, &options).await
}

/// Finishes a sign-in with a passkey alone: whose it is. The credential must belong to the
/// person its user handle names, and user verification is required, so it is both factors.
pub async fn finish_sign_in(
    state: &AppState,
    token: &str,
    response: &str,
    client: &ClientInfo,
) -> Result<User, AppError> {
    let rp = relying_party(state)?;
    let ceremony: DiscoverableAuthentication = take(state, token, None, Purpose::SignIn).await?;
    let response: PublicKeyCredential = from_browser(response)?;
    let (handle, _) = rp
        .identify_discoverable_authentication(&response)
        .map_err(|e| refused("sign-in", &e))?;
    let owner = db::user_by_handle(&state.db, &handle.to_string())
        .await?
        .ok_or_else(|| AppError::field(FIELD, NOT_ACCEPTED))?;
    let passkey = owned_passkey(state, &response, owner).await?;
    let credential = credential_of(&passkey)?;
    let result = rp.finish_discoverable_authentication_v2(&response, ceremony, &credential);
    record_use(state, &passkey, credential, result, client).await?;
    crate::db::users::find_by_id(&state.db, owner)
        .await?
        .ok_or_else(|| AppError::field(FIELD, NOT_ACCEPTED))
}

/// The stored passkey the browser's answer names, if `user_id` owns it: another person's
/// credential never signs in as this one.
async fn owned_passkey(
    state: &AppState,
    response: &PublicKeyCredential,
    user_id: i64,
) -> Result<Passkey, AppError> {
    db::by_credential_id(&state.db, &encode_id(response.get_credential_id()))
        .await?
        .filter(|p| p.user_id == user_id)
        .ok_or_else(|| AppError::field(FIELD, NOT_ACCEPTED))
}

/// Stores what a use changed (counter, backup flags) and logs it; a counter that went back
/// is logged as a possible copy and refused.
async fn record_use(
    state: &AppState,
    passkey: &Passkey,
    mut credential: Credential,
    result: Result<webauthn_rs::prelude::AuthenticationResult, WebauthnError>,
    client: &ClientInfo,
) -> Result<(), AppError> {
    let result = match result {
        Ok(result) => result,
        Err(WebauthnError::CredentialPossibleCompromise) => {
            security_log::record(
                state,
                passkey.user_id,
                Event::PasskeyCounterAnomaly,
                &passkey.name,
                client,
            )
            .await?;
            return Err(AppError::field(FIELD, COPIED));
        }
        Err(e) => return Err(refused("authentication", &e)),
    };
    credential.update_credential(&result);
    let mut tx = crate::db::begin_write(&state.db).await?;
    if !db::record_use(&mut tx, passkey.id, &to_json(&credential)?, now_unix()).await? {
        // Removed while its answer was on the way: removal stops it at once.
        return Err(AppError::field(FIELD, NOT_ACCEPTED));
    }
    security_log::record_in(
        &mut tx,
        passkey.user_id,
        Event::PasskeyUsed,
        &passkey.name,
        client,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

fn refused(ceremony: &str, error: &WebauthnError) -> AppError {
    tracing::info!("passkey {ceremony} refused: {error}");
    AppError::field(FIELD, NOT_ACCEPTED)
}
