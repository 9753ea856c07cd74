use std::net::IpAddr;

use serde::{Deserialize, Serialize};
use tower_sessions::Session;

use crate::db::sessions::{self as index, NewSession};
use crate::db::users::{self, User};
use crate::db::Db;
use crate::error::AppError;
use crate::state::Settings;

const AUTH_KEY: &str = "auth";

/// Stored in the session record.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct AuthState {
    user_id: i64,
    /// Must equal the user's `session_epoch`; a password change bumps it and so ends every
    /// session that was started before.
    epoch: i64,
    authenticated_at: i64,
    /// Last time the record was saved; saving moves the store's idle expiry forward.
    #[serde(default)]
    seen_at: i64,
    /// Last password or code check; sensitive actions need it recent.
    #[serde(default)]
    verified_at: i64,
    /// Random, made at sign-in: the session's row in the Sessions list is keyed by its hash.
    /// Empty in sessions from before that list, which get one at their next request.
    #[serde(default)]
    handle: String,
}

/// How a session was signed in, as the Sessions list and the security log say it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInMethod {
    Password,
    PasswordAndCode,
    PasswordAndRecoveryCode,
    /// The password, then a passkey as the second factor.
    PasswordAndPasskey,
    /// A passkey alone: user verification makes it both factors.
    Passkey,
    /// A session from before methods were recorded.
    Unknown,
}

impl SignInMethod {
    const ALL: [SignInMethod; 6] = [
        SignInMethod::Password,
        SignInMethod::PasswordAndCode,
        SignInMethod::PasswordAndRecoveryCode,
        SignInMethod::PasswordAndPasskey,
        SignInMethod::Passkey,
        SignInMethod::Unknown,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SignInMethod::Password => "password",
            SignInMethod::PasswordAndCode => "password+code",
            SignInMethod::PasswordAndRecoveryCode => "password+recovery",
            SignInMethod::PasswordAndPasskey => "password+passkey",
            SignInMethod::Passkey => "passkey",
            SignInMethod::Unknown => "unknown",
        }
    }

    pub fn parse(stored: &str) -> Self {
        Self::ALL
            .into_iter()
            .find(|m| m.as_str() == stored)
            .unwrap_or(SignInMethod::Unknown)
    }

    /// "Password and authenticator code".
    pub fn describe(self) -> &'static str {
        match self {
            SignInMethod::Password => "Password",
            SignInMethod::PasswordAndCode => "Password and authenticator code",
            SignInMethod::PasswordAndRecoveryCode => "Password and recovery code",
            SignInMethod::PasswordAndPasskey => "Password and passkey",
            SignInMethod::Passkey => "Passkey",
            SignInMethod::Unknown => "Not recorded",
        }
    }
}

const PENDING_LOGIN_KEY: &str = "pending_login";

/// A login whose password was right but whose second factor is still to come. Kept apart
/// from [`AuthState`], so such a session reaches nothing but the code step.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct PendingLogin {
    user_id: i64,
    epoch: i64,
    started_at: i64,
}

/// Time to enter the code after the password.
const PENDING_LOGIN_SECS: i64 = 5 * 60;

/// How stale `seen_at` may get before a request saves the session again, which moves both
/// the stored expiry and the cookie's Max-Age forward. Saving on every request would make
/// every page view a database write; once a minute keeps the idle timeout exact to within a
/// minute, and a quarter of the timeout keeps short timeouts sliding too.
fn touch_interval(settings: &Settings) -> i64 {
    (settings.session_idle_secs / 4).clamp(1, 60)
}

/// The last second a session seen at `seen_at` is valid unless it is active again: the idle
/// timeout, but never past the absolute lifetime (valid while `now - authenticated_at` is at
/// most that). The row in the Sessions list carries it, and a session
/// whose row says it ended is refused, so the list and the sign-out agree exactly.
fn expires_at(settings: &Settings, authenticated_at: i64, seen_at: i64) -> i64 {
    (seen_at + settings.session_idle_secs).min(authenticated_at + settings.session_absolute_secs)
}

/// The key of a session's row: SHA-256 of its handle, so the table never holds anything
/// that could be replayed, and the id shown in the page's forms is not the handle itself.
fn id_hash(handle: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(handle.as_bytes()))
}

/// The key of the row listed at start for a session from before the Sessions list (which has
/// no handle yet): the hash of its store id, marked so it never meets a handle's hash.
fn legacy_id(store_id: &str) -> String {
    format!("legacy:{}", id_hash(store_id))
}

/// Lists a session record from before the Sessions list (`data` is the record's), so that it
/// can be seen and signed out before it is used again; done once, when the server first starts
/// after the upgrade. Records of other kinds, of people who are gone, or from before a
/// password change are left alone, and a record already listed is not listed twice.
pub async fn list_from_before(
    db: &Db,
    settings: &Settings,
    store_id: &str,
    data: &std::collections::HashMap<String, serde_json::Value>,
    now: i64,
) -> Result<bool, AppError> {
    let Some(state) = data
        .get(AUTH_KEY)
        .and_then(|value| serde_json::from_value::<AuthState>(value.clone()).ok())
        .filter(|state| state.handle.is_empty())
    else {
        return Ok(false);
    };
    let seen_at = state.seen_at.max(state.authenticated_at);
    let expires_at = expires_at(settings, state.authenticated_at, seen_at);
    if expires_at < now {
        return Ok(false);
    }
    let listed = index::insert_from_before(
        db,
        &NewSession {
            id_hash: &legacy_id(store_id),
            user_id: state.user_id,
            created_at: state.authenticated_at,
            now: seen_at,
            expires_at,
            user_agent: None,
            client_addr: None,
            method: SignInMethod::Unknown.as_str(),
        },
        state.epoch,
    )
    .await?;
    Ok(listed)
}

fn new_handle() -> String {
    use aes_gcm::aead::rand_core::RngCore;
    let mut bytes = [0u8; 16];
    aes_gcm::aead::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// The signed-in person, put into the request by the server's middleware.
#[derive(Debug, Clone)]
pub struct CurrentUser(pub User);

/// When the request's session ends without further activity (Unix seconds), put into the
/// request beside [`CurrentUser`].
#[derive(Debug, Clone, Copy)]
pub struct SessionExpiry(pub i64);

/// A valid session: whose it is, and until when it lives without activity.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub user: User,
    pub expires_at: i64,
}

/// The path of [`super::session_status`], which reads the session without counting as
/// activity: the page's timer asks it, and must not keep an idle session alive.
pub const STATUS_PATH: &str = "/api/session/status";

/// The client's address as the server decided to trust it (socket peer, or the proxy's
/// `X-Forwarded-For` when configured).
#[derive(Debug, Clone, Copy)]
pub struct ClientAddr(pub IpAddr);

/// Where a request came from, as a security mail or log entry tells it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientInfo {
    pub addr: Option<IpAddr>,
    pub user_agent: Option<String>,
}

impl ClientInfo {
    /// "Firefox 128 on Linux", read from the User-Agent by woothee's rules.
    pub fn browser(&self) -> String {
        const UNKNOWN: &str = woothee::woothee::VALUE_UNKNOWN;
        let parsed = self
            .user_agent
            .as_deref()
            .and_then(|ua| woothee::parser::Parser::new().parse(ua));
        let Some(ua) = parsed.filter(|ua| ua.name != UNKNOWN) else {
            return "an unknown browser".to_owned();
        };
        let major = ua.version.split('.').next().unwrap_or_default();
        let name = if major.is_empty() || major == UNKNOWN {
            ua.name.to_owned()
        } else {
            format!("{} {major}", ua.name)
        };
        if ua.os == UNKNOWN {
            name
        } else {
            format!("{name} on {}", ua.os)
        }
    }

    /// "Linux", "Mac OSX", "Android": the system part of [`Self::browser`], if known.
    pub fn operating_system(&self) -> Option<String> {
        let ua = woothee::parser::Parser::new().parse(self.user_agent.as_deref()?)?;
        (ua.os != woothee::woothee::VALUE_UNKNOWN).then(|| ua.os.to_owned())
    }

    /// The address as text, or "an unknown address".
    pub fn address(&self) -> String {
        self.addr
            .map_or_else(|| "an unknown address".to_owned(), |a| a.to_string())
    }
}

/// A session store failure, logged; the person sees only that something went wrong.
pub fn session_error(error: tower_sessions::session::Error) -> AppError {
    tracing::error!(%error, "session store error");
    AppError::Internal
}

/// Where and how a session is being signed in.
pub struct SignIn<'a> {
    pub settings: &'a Settings,
    pub method: SignInMethod,
    pub client: &'a ClientInfo,
    pub now: i64,
}

/// Signs `user` in: a fresh session id (no fixation) carrying who and since when. Whatever
/// this browser was signed in as before ends. The session's row in the Sessions list is
/// written by [`Started::record`], on the sign-in's transaction with its history entry; until
/// that commits, the session's handle has no row, and a session without one is refused.
///
/// The store is touched here (the old id is deleted), so this must come before that
/// transaction: on SQLite the store waits for the transaction's write lock.
pub async fn start(
    session: &Session,
    user: &User,
    sign_in: &SignIn<'_>,
) -> Result<Started, AppError> {
    let previous = current_id(session).await?;
    session.cycle_id().await.map_err(session_error)?;
    session
        .remove_value(PENDING_LOGIN_KEY)
        .await
        .map_err(session_error)?;
    let now = sign_in.now;
    let state = AuthState {
        user_id: user.id,
        epoch: user.session_epoch,
        authenticated_at: now,
        seen_at: now,
        verified_at: now,
        handle: new_handle(),
    };
    let started = Started {
        previous,
        id_hash: id_hash(&state.handle),
        user_id: user.id,
        now,
        expires_at: expires_at(sign_in.settings, now, now),
        user_agent: sign_in.client.user_agent.clone(),
        client_addr: sign_in.client.addr.map(|a| a.to_string()),
        method: sign_in.method,
    };
    session
        .insert(AUTH_KEY, state)
        .await
        .map_err(session_error)?;
    Ok(started)
}

/// A sign-in whose row in the Sessions list is still to be written.
#[must_use = "the session is refused until its row is recorded"]
pub struct Started {
    previous: Option<String>,
    id_hash: String,
    user_id: i64,
    now: i64,
    expires_at: i64,
    user_agent: Option<String>,
    client_addr: Option<String>,
    method: SignInMethod,
}

impl Started {
    /// Writes the row (and removes the row of what this browser was signed in as before).
    pub async fn record(&self, conn: &mut sqlx::AnyConnection) -> Result<(), AppError> {
        if let Some(previous) = &self.previous {
            index::remove(conn, previous).await?;
        }
        index::insert(
            conn,
            &NewSession {
                id_hash: &self.id_hash,
                user_id: self.user_id,
                created_at: self.now,
                now: self.now,
                expires_at: self.expires_at,
                user_agent: self.user_agent.as_deref(),
                client_addr: self.client_addr.as_deref(),
                method: self.method.as_str(),
            },
        )
        .await?;
        Ok(())
    }
}

/// The id of this session's row in the Sessions list, if it is signed in.
pub async fn current_id(session: &Session) -> Result<Option<String>, AppError> {
    Ok(session
        .get::<AuthState>(AUTH_KEY)
        .await
        .map_err(session_error)?
        .filter(|state| !state.handle.is_empty())
        .map(|state| id_hash(&state.handle)))
}

/// The password was right and a second factor is due: remembers whose login this is, under
/// a fresh id, without signing anyone in yet.
pub async fn begin_second_factor(
    session: &Session,
    db: &Db,
    user: &User,
    now: i64,
) -> Result<(), AppError> {
    // Whoever this browser was signed in as is signed out, and leaves the list.
    if let Some(previous) = current_id(session).await? {
        index::remove(&mut *db.acquire().await?, &previous).await?;
    }
    session.cycle_id().await.map_err(session_error)?;
    session
        .remove_value(AUTH_KEY)
        .await
        .map_err(session_error)?;
    let pending = PendingLogin {
        user_id: user.id,
        epoch: user.session_epoch,
        started_at: now,
    };
    session
        .insert(PENDING_LOGIN_KEY, pending)
        .await
        .map_err(session_error)
}

/// The user whose login waits for a code, if the password step is recent and their password
/// has not changed since.
pub async fn second_factor_user(
    session: &Session,
    db: &Db,
    now: i64,
) -> Result<Option<User>, AppError> {
    let Some(pending) = session
        .get::<PendingLogin>(PENDING_LOGIN_KEY)
        .await
        .map_err(session_error)?
    else {
        return Ok(None);
    };
    if now - pending.started_at > PENDING_LOGIN_SECS {
        return Ok(None);
    }
    Ok(users::find_by_id(db, pending.user_id)
        .await?
        .filter(|user| user.session_epoch == pending.epoch))
}

/// Records a successful password or code check for the sudo-mode window.
pub async fn mark_verified(session: &Session, now: i64) -> Result<(), AppError> {
    let Some(state) = session
        .get::<AuthState>(AUTH_KEY)
        .await
        .map_err(session_error)?
    else {
        return Err(AppError::Unauthorized);
    };
    // `seen_at` stays: it says when the Sessions list last heard of this session.
    let state = AuthState {
        verified_at: now,
        ..state
    };
    session.insert(AUTH_KEY, state).await.map_err(session_error)
}

/// `ReauthRequired` unless the password or a code was checked in this session within the
/// configured window (GitHub's "sudo mode").
pub async fn require_recent_verification(
    session: &Session,
    settings: &Settings,
    now: i64,
) -> Result<(), AppError> {
    let state = session
        .get::<AuthState>(AUTH_KEY)
        .await
        .map_err(session_error)?
        .ok_or(AppError::Unauthorized)?;
    if is_recent(state.verified_at, settings, now) {
        Ok(())
    } else {
        Err(AppError::ReauthRequired)
    }
}

fn is_recent(verified_at: i64, settings: &Settings, now: i64) -> bool {
    now - verified_at < settings.reauth_secs
}

/// Keeps this session valid after the user's epoch moved (their own password change, "Sign
/// out all other sessions"), under a new id; this browser stays known to the account (a
/// device cookie for the new epoch), the others no longer are.
pub async fn continue_with_epoch(
    session: &Session,
    app: &crate::state::AppState,
    user: &User,
    epoch: i64,
) -> Result<(), AppError> {
    super::device::remember(
        app,
        &User {
            session_epoch: epoch,
            ..user.clone()
        },
    );
    let Some(mut state) = session
        .get::<AuthState>(AUTH_KEY)
        .await
        .map_err(session_error)?
    else {
        return Err(AppError::Unauthorized);
    };
    state.epoch = epoch;
    session.cycle_id().await.map_err(session_error)?;
    session.insert(AUTH_KEY, state).await.map_err(session_error)
}

/// Deletes the session from the store, and its row from the Sessions list; the old cookie
/// is worthless afterwards.
pub async fn end(session: &Session, db: &Db) -> Result<(), AppError> {
    if let Some(id) = current_id(session).await? {
        index::remove(&mut *db.acquire().await?, &id).await?;
    }
    session.flush().await.map_err(session_error)
}

/// The user this session belongs to, if it is still valid: within the absolute lifetime,
/// not ended by a password change, and its row in the Sessions list neither ended from the
/// list nor past its idle expiry. Activity moves the expiry (of the row and of the store's
/// record) forward at most once a minute. An invalid session is deleted.
pub async fn resolve(
    session: &Session,
    db: &Db,
    settings: &Settings,
    client: &ClientInfo,
    now: i64,
    activity: bool,
) -> Result<Option<Resolved>, AppError> {
    let Some(state) = session
        .get::<AuthState>(AUTH_KEY)
        .await
        .map_err(session_error)?
    else {
        return Ok(None);
    };
    let id = id_hash(&state.handle);
    if let Some((user, row_expires_at)) = valid_user(db, settings, &state, &id, now).await? {
        if state.handle.is_empty() {
            // A session from before the Sessions list. The server listed it at start, under
            // its store id; now it takes a handle like any other, and keeps its row (unless
            // it was signed out from the list meanwhile).
            let addr = client.addr.map(|a| a.to_string());
            let user_agent = client.user_agent.as_deref();
            let legacy = session.id().map(|id| legacy_id(&id.to_string()));
            let row = match &legacy {
                Some(key) => index::find(db, key).await?,
                None => None,
            };
            let state = AuthState {
                seen_at: now,
                handle: new_handle(),
                ..state
            };
            let expires_at = expires_at(settings, state.authenticated_at, now);
            let id = id_hash(&state.handle);
            let listed = match (&legacy, row) {
                (Some(key), Some(row)) => {
                    row.ended_at.is_none()
                        && row.expires_at >= now
                        && index::adopt(db, key, &id, now, expires_at, user_agent, addr.as_deref())
                            .await?
                }
                _ => {
                    index::insert(
                        &mut *db.acquire().await?,
                        &NewSession {
                            id_hash: &id,
                            user_id: user.id,
                            created_at: state.authenticated_at,
                            now,
                            expires_at,
                            user_agent,
                            client_addr: addr.as_deref(),
                            method: SignInMethod::Unknown.as_str(),
                        },
                    )
                    .await?;
                    true
                }
            };
            if !listed {
                session.flush().await.map_err(session_error)?;
                return Ok(None);
            }
            session
                .insert(AUTH_KEY, state)
                .await
                .map_err(session_error)?;
            return Ok(Some(Resolved { user, expires_at }));
        }
        if let Some(row_expires_at) = row_expires_at.filter(|e| *e >= now) {
            let expires_at = if activity && now - state.seen_at >= touch_interval(settings) {
                touch(session, db, settings, state, now, client).await?
            } else {
                row_expires_at
            };
            return Ok(Some(Resolved { user, expires_at }));
        }
    }
    // Only the record goes: the row, if any, already says the session ended (or expired). A
    // request that lost a race with its own session's epoch change (another tab during "Sign
    // out all other sessions") must not take the row the session carries on with.
    session.flush().await.map_err(session_error)?;
    Ok(None)
}

/// The session's person, unless the absolute lifetime is over or the password changed, with
/// the expiry of the session's row `id` if it is live.
async fn valid_user(
    db: &Db,
    settings: &Settings,
    state: &AuthState,
    id: &str,
    now: i64,
) -> Result<Option<(User, Option<i64>)>, AppError> {
    if now - state.authenticated_at > settings.session_absolute_secs {
        return Ok(None);
    }
    Ok(users::find_with_session(db, state.user_id, id)
        .await?
        .filter(|(user, _)| user.session_epoch == state.epoch))
}

/// Activity at `now`, from `client`: moves the expiry of the session's row and of its record
/// forward. Returns the new expiry.
async fn touch(
    session: &Session,
    db: &Db,
    settings: &Settings,
    state: AuthState,
    now: i64,
    client: &ClientInfo,
) -> Result<i64, AppError> {
    let expiry = expires_at(settings, state.authenticated_at, now);
    let addr = client.addr.map(|a| a.to_string());
    let id = id_hash(&state.handle);
    let user_agent = client.user_agent.as_deref();
    if !index::touch(db, &id, now, expiry, user_agent, addr.as_deref()).await? {
        // Ended from the list since this request began.
        return Err(AppError::Unauthorized);
    }
    let touched = AuthState {
        seen_at: now,
        ..state
    };
    session
        .insert(AUTH_KEY, touched)
        .await
        .map_err(session_error)?;
    Ok(expiry)
}

/// "Stay signed in": counts as activity now, whatever the touch interval, and says how long
/// the session lives from here.
pub async fn keep_alive(
    session: &Session,
    db: &Db,
    settings: &Settings,
    client: &ClientInfo,
    now: i64,
) -> Result<i64, AppError> {
    let state = session
        .get::<AuthState>(AUTH_KEY)
        .await
        .map_err(session_error)?
        .filter(|state| !state.handle.is_empty())
        .ok_or(AppError::Unauthorized)?;
    Ok(touch(session, db, settings, state, now, client).await? - now)
}

/// Seconds left of this session's recent password check (sudo mode), or 0.
pub async fn recent_verification_left(
    session: &Session,
    settings: &Settings,
    now: i64,
) -> Result<i64, AppError> {
    Ok(session
        .get::<AuthState>(AUTH_KEY)
        .await
        .map_err(session_error)?
        .map_or(0, |state| {
            (state.verified_at + settings.reauth_secs - now).max(0)
        }))
}

/// Reads the request's parts, available to server functions and server-side rendering,
/// without copying them (a page render asks several times).
fn with_request_parts<T>(read: impl FnOnce(&http::request::Parts) -> T) -> Result<T, AppError> {
    leptos::prelude::with_context::<http::request::Parts, _>(read).ok_or_else(|| {
        tracing::error!("request parts missing from the Leptos context");
        AppError::Internal
    })
}

/// The signed-in user of this request, or `Unauthorized`.
pub fn require_user() -> Result<User, AppError> {
    optional_user_in_request()?.ok_or(AppError::Unauthorized)
}

/// Seconds until this request's session ends without activity.
pub fn expires_in(now: i64) -> Option<i64> {
    with_request_parts(|parts| {
        parts
            .extensions
            .get::<SessionExpiry>()
            .map(|e| (e.0 - now).max(0))
    })
    .ok()
    .flatten()
}

pub fn optional_user() -> Option<User> {
    optional_user_in_request().ok().flatten()
}

fn optional_user_in_request() -> Result<Option<User>, AppError> {
    with_request_parts(|parts| parts.extensions.get::<CurrentUser>().map(|u| u.0.clone()))
}

pub fn client_addr() -> Option<IpAddr> {
    with_request_parts(|parts| parts.extensions.get::<ClientAddr>().map(|a| a.0))
        .ok()
        .flatten()
}

/// The request's client address and User-Agent.
pub fn client_info() -> ClientInfo {
    with_request_parts(|parts| ClientInfo {
        addr: parts.extensions.get::<ClientAddr>().map(|a| a.0),
        user_agent: user_agent(&parts.headers),
    })
    .unwrap_or_default()
}

/// The User-Agent, cut to a length worth storing.
pub fn user_agent(headers: &http::HeaderMap) -> Option<String> {
    headers
        .get(http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(|ua| ua.chars().take(512).collect())
}

pub async fn current_session() -> Result<Session, AppError> {
    leptos_axum::extract::<Session>().await.map_err(|error| {
        tracing::error!(%error, "session layer missing");
        AppError::Internal
    })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use tower_sessions::MemoryStore;

    use super::*;
    use crate::display::Preferences;

    fn ada() -> User {
        User {
            id: 1,
            email: "ada@example.com".into(),
            mobile: "+4915123456789".into(),
            first_name: "Ada".into(),
            last_name: "Lovelace".into(),
            password_hash: String::new(),
            password_changed_at: 0,
            session_epoch: 0,
            preferences: Preferences::default(),
            created_at: 0,
            email_verified_at: None,
        }
    }

    #[test]
    fn the_browser_is_named_from_the_user_agent() {
        let client = |ua: &str| ClientInfo {
            addr: None,
            user_agent: Some(ua.into()),
        };
        assert_eq!(
            client("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0")
                .browser(),
            "Firefox 128 on Linux"
        );
        assert_eq!(
            client("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36").browser(),
            "Chrome 131 on Windows 10"
        );
        assert_eq!(client("curl-ish/1").browser(), "an unknown browser");
        assert_eq!(ClientInfo::default().browser(), "an unknown browser");
    }

    #[test]
    fn sudo_mode_lasts_the_configured_window() {
        let settings = Settings {
            reauth_secs: 300,
            ..Settings::default()
        };
        assert!(is_recent(1_000, &settings, 1_299));
        assert!(!is_recent(1_000, &settings, 1_300));
        assert!(
            !is_recent(0, &settings, 1_000),
            "sessions from before sudo mode"
        );
    }

    #[tokio::test]
    async fn a_session_ends_after_its_absolute_lifetime_whatever_the_activity() {
        sqlx::any::install_default_drivers();
        // Never connected: an expired session must be refused before any query.
        let db = sqlx::any::AnyPoolOptions::new()
            .connect_lazy("sqlite::memory:")
            .unwrap();
        let session = Session::new(None, Arc::new(MemoryStore::default()), None);
        let settings = Settings {
            session_absolute_secs: 3600,
            ..Settings::default()
        };
        let signed_in = AuthState {
            user_id: ada().id,
            epoch: 0,
            authenticated_at: 1_000,
            seen_at: 1_000,
            verified_at: 1_000,
            handle: String::new(),
        };
        session.insert(AUTH_KEY, signed_in).await.unwrap();

        let client = ClientInfo::default();
        assert!(
            resolve(&session, &db, &settings, &client, 1_000 + 3_601, true)
                .await
                .unwrap()
                .is_none()
        );
        assert!(
            session.get::<AuthState>(AUTH_KEY).await.unwrap().is_none(),
            "the session is deleted"
        );
    }
}
