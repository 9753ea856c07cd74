use std::net::IpAddr;

use serde::{Deserialize, Serialize};
use tower_sessions::Session;

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

/// The signed-in person, put into the request by the server's middleware.
#[derive(Debug, Clone)]
pub struct CurrentUser(pub User);

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

/// Signs `user` in: a fresh session id (no fixation) carrying who and since when.
pub async fn start(session: &Session, user: &User, now: i64) -> Result<(), AppError> {
    session.cycle_id().await.map_err(session_error)?;
    session
        .remove_value(PENDING_LOGIN_KEY)
        .await
        .map_err(session_error)?;
    let state = AuthState {
        user_id: user.id,
        epoch: user.session_epoch,
        authenticated_at: now,
        seen_at: now,
        verified_at: now,
    };
    session.insert(AUTH_KEY, state).await.map_err(session_error)
}

/// The password was right and a second factor is due: remembers whose login this is, under
/// a fresh id, without signing anyone in yet.
pub async fn begin_second_factor(session: &Session, user: &User, now: i64) -> Result<(), AppError> {
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
    let state = AuthState {
        verified_at: now,
        seen_at: now,
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

/// Keeps this session valid after the user's epoch moved (their own password change), under
/// a new id.
pub async fn continue_with_epoch(session: &Session, epoch: i64) -> Result<(), AppError> {
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

/// Deletes the session from the store; the old cookie is worthless afterwards.
pub async fn end(session: &Session) -> Result<(), AppError> {
    session.flush().await.map_err(session_error)
}

/// The user this session belongs to, if it is still valid: within the absolute lifetime
/// (the idle timeout is the store's expiry, moved forward at most once a minute) and not
/// ended by a password change. An invalid session is deleted.
pub async fn resolve(
    session: &Session,
    db: &Db,
    settings: &Settings,
    now: i64,
) -> Result<Option<User>, AppError> {
    let Some(state) = session
        .get::<AuthState>(AUTH_KEY)
        .await
        .map_err(session_error)?
    else {
        return Ok(None);
    };
    if now - state.authenticated_at <= settings.session_absolute_secs {
        if let Some(user) = users::find_by_id(db, state.user_id).await? {
            if user.session_epoch == state.epoch {
                if now - state.seen_at >= touch_interval(settings) {
                    let touched = AuthState {
                        seen_at: now,
                        ..state
                    };
                    session
                        .insert(AUTH_KEY, touched)
                        .await
                        .map_err(session_error)?;
                }
                return Ok(Some(user));
            }
        }
    }
    end(session).await?;
    Ok(None)
}

/// The request's parts, available to server functions and server-side rendering.
fn request_parts() -> Result<http::request::Parts, AppError> {
    leptos::prelude::use_context::<http::request::Parts>().ok_or_else(|| {
        tracing::error!("request parts missing from the Leptos context");
        AppError::Internal
    })
}

/// The signed-in user of this request, or `Unauthorized`.
pub fn require_user() -> Result<User, AppError> {
    request_parts()?
        .extensions
        .get::<CurrentUser>()
        .map(|u| u.0.clone())
        .ok_or(AppError::Unauthorized)
}

pub fn optional_user() -> Option<User> {
    request_parts()
        .ok()?
        .extensions
        .get::<CurrentUser>()
        .map(|u| u.0.clone())
}

pub fn client_addr() -> Option<IpAddr> {
    request_parts()
        .ok()?
        .extensions
        .get::<ClientAddr>()
        .map(|a| a.0)
}

/// The request's client address and User-Agent.
pub fn client_info() -> ClientInfo {
    ClientInfo {
        addr: client_addr(),
        user_agent: request_parts().ok().and_then(|parts| {
            parts
                .headers
                .get(http::header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .map(|ua| ua.chars().take(512).collect())
        }),
    }
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
        start(&session, &ada(), 1_000).await.unwrap();
        assert!(session.get::<AuthState>(AUTH_KEY).await.unwrap().is_some());

        assert!(resolve(&session, &db, &settings, 1_000 + 3_601)
            .await
            .unwrap()
            .is_none());
        assert!(
            session.get::<AuthState>(AUTH_KEY).await.unwrap().is_none(),
            "the session is deleted"
        );
    }
}
