//! OWASP's device cookie: a browser that signed in to an account before carries a signed
//! token naming that account, and its wrong passwords are counted on their own. So a stranger
//! who hammers an account locks out only untrusted browsers, never the owner's own.
//!
//! The value is `nonce.mac`, where mac is the server's HMAC of the account's email, its
//! session epoch and the nonce: it names the account without saying which, and cannot be made
//! for another one. The epoch moves when every other session is ended (a password change or
//! reset, "Sign out all other sessions"), and with it every other browser stops being known:
//! a stolen laptop signed out from the Sessions list counts as a new browser again.

use aes_gcm::aead::rand_core::RngCore;
use aes_gcm::aead::OsRng;
use leptos::prelude::use_context;
use tower_sessions::cookie::{Cookie, SameSite};

use crate::db::users::User;
use crate::state::AppState;

/// A browser is trusted for a year after its last sign-in (OWASP's suggestion is months).
const MAX_AGE_DAYS: i64 = 365;

fn cookie_name(state: &AppState) -> &'static str {
    // `__Host-` pins it to this host and path over https, like the session cookie.
    if state.settings.public_url.starts_with("https://") {
        "__Host-device"
    } else {
        "device"
    }
}

fn signed_part(email: &str, epoch: i64, nonce: &str) -> String {
    format!("device cookie\0{email}\0{epoch}\0{nonce}")
}

/// The device cookie this request carried, as sent.
pub fn from_request(state: &AppState) -> Option<String> {
    let parts = use_context::<http::request::Parts>()?;
    crate::request::cookie(&parts.headers, cookie_name(state))
}

/// The cookie's nonce if `value` is a device cookie this server issued for `user` since their
/// epoch last moved: the key its failures are counted under.
pub fn trusted_nonce(state: &AppState, value: &str, user: &User) -> Option<String> {
    let (nonce, mac) = value.split_once('.')?;
    if nonce.len() != 32 || !nonce.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    state
        .secrets
        .verify_mac(&signed_part(&user.email, user.session_epoch, nonce), mac)
        .then(|| nonce.to_owned())
}

/// Whether this request's browser signed in as `user` before (since their epoch last moved).
pub fn is_known(state: &AppState, user: &User) -> bool {
    from_request(state)
        .and_then(|value| trusted_nonce(state, &value, user))
        .is_some()
}

/// Marks this browser as one that signed in as `user` (a fresh nonce on every sign-in, and
/// after their epoch moved in this browser).
pub fn remember(state: &AppState, user: &User) {
    let Some(response) = use_context::<leptos_axum::ResponseOptions>() else {
        return;
    };
    let mut bytes = [0u8; 16];
    OsRng.fill_bytes(&mut bytes);
    let nonce = hex::encode(bytes);
    let value = format!(
        "{nonce}.{}",
        state
            .secrets
            .mac(&signed_part(&user.email, user.session_epoch, &nonce))
    );
    let cookie = Cookie::build((cookie_name(state), value))
        .path("/")
        .http_only(true)
        .secure(state.settings.public_url.starts_with("https://"))
        .same_site(SameSite::Lax)
        .max_age(tower_sessions::cookie::time::Duration::days(MAX_AGE_DAYS))
        .build();
    if let Ok(header) = http::HeaderValue::from_str(&cookie.to_string()) {
        response.append_header(http::header::SET_COOKIE, header);
    }
}
