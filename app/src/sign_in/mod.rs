//! Sign-up, login and logout.

mod page;
#[cfg(feature = "ssr")]
pub mod service;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::session::{self, device, SignInMethod};
#[cfg(feature = "ssr")]
use crate::two_factor::service::SecondFactor;
#[cfg(feature = "ssr")]
use crate::ui::address::{encode_query_value, safe_next};
pub use page::{LoginCodePage, LoginPage, LogoutPage, SignupPage};

/// Where a password reset leads: the login page, which then says so (`?done=`).
pub const DONE_RESET: &str = "password-reset";

/// What the header needs about the signed-in person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserSummary {
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    /// Computed by the server: Unicode letter and case tables stay out of the WASM.
    pub initials: String,
    /// False until the person opened the link mailed to their address.
    pub email_verified: bool,
    /// For the warning before the idle timeout.
    pub session: crate::session::SessionClock,
}

impl UserSummary {
    #[cfg(feature = "ssr")]
    pub fn new(first_name: String, last_name: String, email: String) -> Self {
        let initials = initials(&first_name, &last_name, &email);
        Self {
            first_name,
            last_name,
            email,
            initials,
            email_verified: false,
            session: crate::session::SessionClock {
                expires_in: 0,
                warn_before: 0,
            },
        }
    }

    #[cfg(feature = "ssr")]
    fn of(user: crate::db::users::User, settings: &crate::state::Settings) -> Self {
        Self {
            email_verified: user.email_verified(),
            session: crate::session::SessionClock::now(settings),
            ..Self::new(user.first_name, user.last_name, user.email)
        }
    }

    pub fn full_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }
}

/// "AL" for Ada Lovelace; the first letter of the email if the names give nothing.
#[cfg(feature = "ssr")]
fn initials(first_name: &str, last_name: &str, email: &str) -> String {
    let initial = |s: &str| {
        s.chars()
            .find(|c| c.is_alphanumeric())
            .map(|c| c.to_uppercase().to_string())
    };
    let letters: String = [initial(first_name), initial(last_name)]
        .into_iter()
        .flatten()
        .collect();
    if letters.is_empty() {
        initial(email).unwrap_or_else(|| "?".into())
    } else {
        letters
    }
}

#[server(endpoint = "me", output = crate::codec::Json)]
pub async fn current_user() -> Result<UserSummary, AppError> {
    let caller = crate::caller::Caller::signed_in().await?;
    Ok(UserSummary::of(caller.user, &caller.state.settings))
}

/// This request's signed-in person, as the server's middleware found them; `None` in the
/// browser build. For what the server renders around every page: no resource to await.
pub fn request_user() -> Option<UserSummary> {
    #[cfg(feature = "ssr")]
    {
        let user = session::optional_user()?;
        let state = crate::state::AppState::get().ok()?;
        Some(UserSummary::of(user, &state.settings))
    }
    #[cfg(not(feature = "ssr"))]
    {
        None
    }
}

/// `invitation` is the token of the invitation the person came from, if any: the email must
/// be the invited one, and the new person joins that account straight away.
#[server(endpoint = "signup", output = crate::codec::Json)]
pub async fn signup(
    first_name: String,
    last_name: String,
    email: String,
    mobile: String,
    password: String,
    password_confirmation: String,
    invitation: Option<String>,
) -> Result<(), AppError> {
    let state = crate::state::AppState::get()?;
    let session = session::current_session().await?;
    let invitation = invitation.filter(|t| !t.trim().is_empty());
    // A good invitation token proves the address: it was mailed there.
    let invitation = match &invitation {
        Some(token) => {
            let invited =
                crate::accounts::service::invitations::invitation_for_signup(&state, token).await?;
            if crate::contact::normalize_email(&email) != invited.email {
                return Err(AppError::field(
                    "email",
                    format!(
                        "This invitation is for {}; sign up with that email.",
                        invited.email
                    ),
                ));
            }
            Some(invited)
        }
        None => None,
    };
    let input = service::SignupInput {
        first_name,
        last_name,
        email,
        mobile,
        password,
        password_confirmation,
    };
    let user = service::register(&state, input, invitation.as_ref().map(|i| i.id)).await?;
    // The browser that made the account is not new to it: no mail.
    sign_in(&state, &session, &user, SignInMethod::Password, true).await?;
    match invitation {
        Some(invited) => leptos_axum::redirect(&format!("/accounts/{}", invited.account_id)),
        None => leptos_axum::redirect("/settings"),
    }
    Ok(())
}

#[server(endpoint = "login", output = crate::codec::Json)]
pub async fn login(email: String, password: String, next: String) -> Result<(), AppError> {
    let state = crate::state::AppState::get()?;
    let session = session::current_session().await?;
    let client = service::LoginClient {
        client: session::client_info(),
        device_cookie: device::from_request(&state),
    };
    let user = service::authenticate(&state, &email, password, &client).await?;
    let now = crate::clock::now_unix();
    if crate::two_factor::service::is_enabled(&state, user.id).await? {
        // Signed in only after the code step; until then the session reaches nothing else.
        session::begin_second_factor(&session, &state.db, &user, now).await?;
        leptos_axum::redirect(&format!(
            "/login/two-factor?next={}",
            encode_query_value(&safe_next(&next))
        ));
        return Ok(());
    }
    let known = device::is_known(&state, &user);
    sign_in(&state, &session, &user, SignInMethod::Password, known).await?;
    leptos_axum::redirect(&safe_next(&next));
    Ok(())
}

/// The login's second step: a code from any linked device, or a recovery code. The session
/// id changes once it is passed.
#[server(endpoint = "login/two-factor", output = crate::codec::Json)]
pub async fn verify_login_code(code: String, next: String) -> Result<(), AppError> {
    let state = crate::state::AppState::get()?;
    let session = session::current_session().await?;
    let now = crate::clock::now_unix();
    let user = session::second_factor_user(&session, &state.db, now)
        .await?
        .ok_or(AppError::LoginExpired)?;
    let method =
        match crate::two_factor::service::verify(&state, &user, &code, &session::client_info())
            .await?
        {
            SecondFactor::Code => SignInMethod::PasswordAndCode,
            SecondFactor::RecoveryCode => SignInMethod::PasswordAndRecoveryCode,
        };
    let known = device::is_known(&state, &user);
    sign_in(&state, &session, &user, method, known).await?;
    leptos_axum::redirect(&safe_next(&next));
    Ok(())
}

/// Whether the login's second step offers "Use a passkey": the person has one.
#[server(endpoint = "login/offers-passkey", output = crate::codec::Json)]
pub async fn login_offers_passkey() -> Result<bool, AppError> {
    let state = crate::state::AppState::get()?;
    let session = session::current_session().await?;
    match session::second_factor_user(&session, &state.db, crate::clock::now_unix()).await? {
        Some(user) => crate::passkeys::service::has_any(&state, user.id).await,
        None => Ok(false),
    }
}

/// The options for `navigator.credentials.get()` at the login's second step: one of the
/// person's passkeys instead of a code.
#[server(endpoint = "login/passkey-options", output = crate::codec::Json)]
pub async fn login_passkey_options() -> Result<String, AppError> {
    use crate::passkeys::{ceremony, service as passkeys};
    let state = crate::state::AppState::get()?;
    let session = session::current_session().await?;
    let user = session::second_factor_user(&session, &state.db, crate::clock::now_unix())
        .await?
        .ok_or(AppError::LoginExpired)?;
    let started = passkeys::start_second_factor(&state, &user).await?;
    ceremony::keep(&session, ceremony::SECOND_FACTOR, &started.token).await?;
    Ok(started.options)
}

/// The login's second step passed with a passkey (`response`: the browser's `toJSON()`).
#[server(endpoint = "login/passkey", output = crate::codec::Json)]
pub async fn verify_login_passkey(response: String, next: String) -> Result<(), AppError> {
    use crate::passkeys::{ceremony, service as passkeys};
    let state = crate::state::AppState::get()?;
    let session = session::current_session().await?;
    let user = session::second_factor_user(&session, &state.db, crate::clock::now_unix())
        .await?
        .ok_or(AppError::LoginExpired)?;
    let token = ceremony::get(&session, ceremony::SECOND_FACTOR).await?;
    let client = session::client_info();
    passkeys::finish_second_factor(&state, &user, &token, &response, &client).await?;
    ceremony::forget(&session, ceremony::SECOND_FACTOR).await?;
    let known = device::is_known(&state, &user);
    sign_in(
        &state,
        &session,
        &user,
        SignInMethod::PasswordAndPasskey,
        known,
    )
    .await?;
    leptos_axum::redirect(&safe_next(&next));
    Ok(())
}

/// The options for "Sign in with a passkey" (and the browser's autofill): any discoverable
/// credential of this site.
#[server(endpoint = "login/passkey-sign-in-options", output = crate::codec::Json)]
pub async fn passkey_sign_in_options() -> Result<String, AppError> {
    use crate::passkeys::{ceremony, service as passkeys};
    let state = crate::state::AppState::get()?;
    let session = session::current_session().await?;
    let started = passkeys::start_sign_in(&state, &session::client_info()).await?;
    ceremony::keep(&session, ceremony::SIGN_IN, &started.token).await?;
    Ok(started.options)
}

/// Signs in with a passkey alone: user verification makes it both factors, so no code is
/// asked afterwards.
#[server(endpoint = "login/passkey-sign-in", output = crate::codec::Json)]
pub async fn sign_in_with_passkey(response: String, next: String) -> Result<(), AppError> {
    use crate::passkeys::{ceremony, service as passkeys};
    let state = crate::state::AppState::get()?;
    let session = session::current_session().await?;
    let token = ceremony::get(&session, ceremony::SIGN_IN).await?;
    let client = session::client_info();
    let user = passkeys::finish_sign_in(&state, &token, &response, &client).await?;
    ceremony::forget(&session, ceremony::SIGN_IN).await?;
    let known = device::is_known(&state, &user);
    sign_in(&state, &session, &user, SignInMethod::Passkey, known).await?;
    leptos_axum::redirect(&safe_next(&next));
    Ok(())
}

/// Signs `user` in on this session (see [`service::sign_in`]), and marks this browser as
/// known to the account from now on (its device cookie).
#[cfg(feature = "ssr")]
async fn sign_in(
    state: &crate::state::AppState,
    session: &tower_sessions::Session,
    user: &crate::db::users::User,
    method: SignInMethod,
    known_browser: bool,
) -> Result<(), AppError> {
    let client = session::client_info();
    service::sign_in(state, session, user, method, &client, known_browser).await?;
    device::remember(state, user);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initials_come_from_the_names() {
        let u = |f: &str, l: &str| UserSummary::new(f.into(), l.into(), "zed@example.com".into());
        assert_eq!(u("Ada", "Lovelace").initials, "AL");
        assert_eq!(u("émile", "zola").initials, "ÉZ");
        assert_eq!(u("", "").initials, "Z");
    }
}
