//! Signing up and signing in: validation, storage, the login throttle and the sign-in
//! history.

use crate::clock::now_unix;
use crate::contact::{normalize_email, validate_email};
use crate::db::users::{self, NewUser, User};
use crate::db::{is_unique_violation, throttle};
use crate::error::{AppError, FieldErrors};
use crate::password;
use crate::profile::validate_name;
use crate::security_log::{self, Event};
use crate::session::{ClientInfo, SignInMethod};
use crate::state::AppState;

pub struct SignupInput {
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub mobile: String,
    pub password: String,
    pub password_confirmation: String,
}

/// Every field is checked before anything is stored, and every problem is reported at once.
/// The person, their first account and the verification mail commit together. Sign-up from
/// an invitation (`invitation`, its id; the link was mailed to the address) confirms the
/// email instead of mailing a link, and accepts the invitation in the same transaction: no
/// crash can leave the person without the account they were invited to.
pub async fn register(
    state: &AppState,
    input: SignupInput,
    invitation: Option<i64>,
) -> Result<User, AppError> {
    let email_verified = invitation.is_some();
    let mut errors = FieldErrors::new();
    let first_name = errors.check("first_name", validate_name("first name", &input.first_name));
    let last_name = errors.check("last_name", validate_name("last name", &input.last_name));
    let email = errors.check("email", validate_email(&input.email));
    let mobile = errors.check("mobile", crate::contact::validate_mobile(&input.mobile));
    let hints: Vec<&str> = [&input.first_name, &input.last_name, &input.email]
        .into_iter()
        .flat_map(|s| s.split(|c: char| !c.is_alphanumeric()))
        .filter(|s| !s.is_empty())
        .collect();
    if let Err((field, message)) =
        password::validate_new(&input.password, &input.password_confirmation, &hints)
    {
        errors.add(field, message);
    }
    if let Some(email) = &email {
        if users::email_exists(&state.db, email).await? {
            errors.add(
                "email",
                "An account with this email already exists. Log in instead.",
            );
        }
    }
    if let Some(mobile) = &mobile {
        if users::mobile_exists(&state.db, mobile).await? {
            errors.add(
                "mobile",
                "This mobile number is already used by another account.",
            );
        }
    }
    let (Some(first_name), Some(last_name), Some(email), Some(mobile), true) =
        (first_name, last_name, email, mobile, errors.is_empty())
    else {
        return Err(AppError::Invalid(errors));
    };

    let password_hash = state.hasher.hash(input.password).await?;
    let new_user = NewUser {
        email: &email,
        mobile: &mobile,
        first_name: &first_name,
        last_name: &last_name,
        password_hash: &password_hash,
        now: now_unix(),
        email_verified,
    };
    let mut tx = crate::db::begin_write(&state.db).await?;
    let inserted = users::insert(&mut tx, &new_user).await;
    match inserted {
        Ok(user) => {
            match invitation {
                None => crate::email_verification::service::issue_in(&mut tx, state, &user).await?,
                Some(id) => {
                    if !crate::db::accounts::invitations::accept_invitation_in(
                        &mut tx,
                        id,
                        user.id,
                        now_unix(),
                    )
                    .await?
                    {
                        return Err(AppError::Forbidden(
                            "This invitation is not valid any more: it was revoked, replaced or has expired. Nothing was saved.".into(),
                        ));
                    }
                }
            }
            tx.commit().await?;
            state.outbox.wake();
            Ok(user)
        }
        // Someone registered the same email or number between our check and the insert.
        Err(e) if is_unique_violation(&e) => {
            drop(tx);
            let mut errors = FieldErrors::new();
            if users::email_exists(&state.db, &email).await? {
                errors.add(
                    "email",
                    "An account with this email already exists. Log in instead.",
                );
            } else {
                errors.add(
                    "mobile",
                    "This mobile number is already used by another account.",
                );
            }
            Err(AppError::Invalid(errors))
        }
        Err(e) => Err(e.into()),
    }
}

/// Who is trying to log in, as far as throttling and the history go.
#[derive(Debug, Clone, Default)]
pub struct LoginClient {
    pub client: ClientInfo,
    /// The device cookie the browser sent, if any (see [`super::device`]).
    pub device_cookie: Option<String>,
}

/// Checks an email and password. Every attempt is counted before the password is checked,
/// so parallel requests cannot get past a limit:
/// - A browser that signed in to this account before (a valid device cookie) is counted on
///   its own: its attempts per window.
/// - Any other browser is counted per client address (failures) and, together with every
///   other untrusted browser, per account: attempts per window, and failures in a row, past
///   which untrusted browsers are locked out until the owner signs in or resets the password.
///
/// The answer is the same whether or not the email is registered, in words and in time.
pub async fn authenticate(
    state: &AppState,
    email: &str,
    password: String,
    client: &LoginClient,
) -> Result<User, AppError> {
    let settings = &state.settings;
    let db = &state.db;
    let now = now_unix();
    let window = settings.login_window_secs;
    let email = normalize_email(email);
    let refuse = |count: throttle::Count| AppError::Throttled {
        retry_after_secs: count.retry_after(now),
    };

    let streak_key = format!("streak:{email}");
    // One lookup whether or not the email is registered; a device cookie needs the account's
    // epoch to be checked.
    let user = users::find_by_email(db, &email).await?;
    let owner = user.as_ref().map(|u| u.id);
    let device = match (&client.device_cookie, &user) {
        (Some(value), Some(user)) => crate::session::device::trusted_nonce(state, value, user),
        _ => None,
    };

    // What to take back or reset once the password proves right.
    let (account_key, addr_key) = match &device {
        Some(nonce) => {
            let key = format!("device:{nonce}");
            let count = throttle::hit(db, &key, now, window).await?;
            if count.attempts > settings.login_attempts_per_account {
                record_lockout(
                    state,
                    owner,
                    client,
                    settings.login_attempts_per_account,
                    &count,
                    "a known browser",
                );
                return Err(refuse(count));
            }
            (key, None)
        }
        None => {
            let addr_key = client
                .client
                .addr
                .map(|a| format!("addr:{}", throttle::address_bucket(a)));
            if let Some(key) = &addr_key {
                let count = throttle::hit(db, key, now, window).await?;
                if count.attempts > settings.login_failures_per_address {
                    return Err(refuse(count));
                }
            }
            let account_key = format!("account:{email}");
            let count = throttle::hit(db, &account_key, now, window).await?;
            if count.attempts > settings.login_attempts_per_account {
                record_lockout(
                    state,
                    owner,
                    client,
                    settings.login_attempts_per_account,
                    &count,
                    "new browsers",
                );
                return Err(refuse(count));
            }
            // A year is "in a row" for any real attack; the counter must end some time.
            let streak = throttle::hit(db, &streak_key, now, 365 * 86_400).await?;
            if streak.attempts > settings.login_lockout_failures {
                record_lockout(
                    state,
                    owner,
                    client,
                    settings.login_lockout_failures,
                    &streak,
                    "new browsers, until you sign in or reset the password",
                );
                return Err(AppError::LockedOut);
            }
            (account_key, addr_key)
        }
    };

    // Longer than any password we accept: refuse without spending a hash on it.
    if password.chars().count() > password::MAX_CHARS {
        return Err(AppError::BadCredentials);
    }
    let valid = match &user {
        Some(user) => {
            state
                .hasher
                .verify(password, user.password_hash.clone())
                .await?
        }
        None => state.hasher.verify_dummy(password).await?,
    };
    match user {
        Some(user) if valid => {
            throttle::clear(db, &account_key).await?;
            throttle::clear(db, &streak_key).await?;
            // The address counts failures, and this was none.
            if let Some(key) = &addr_key {
                throttle::release(db, key).await?;
            }
            Ok(user)
        }
        Some(_) => {
            record_detached(state, owner, Event::PasswordFailed, "", &client.client);
            Err(AppError::BadCredentials)
        }
        None => Err(AppError::BadCredentials),
    }
}

/// Records a lock-out for the account's owner. Exactly one attempt crosses a limit (attempts
/// are counted in one statement), and only that one is recorded, not every refusal after it.
fn record_lockout(
    state: &AppState,
    owner: Option<i64>,
    client: &LoginClient,
    limit: i64,
    count: &throttle::Count,
    which: &'static str,
) {
    if count.attempts == limit + 1 {
        record_detached(state, owner, Event::LockedOut, which, &client.client);
    }
}

/// Records a refused attempt for the account's `owner`, if the email is an account's, after
/// the answer is made rather than before: the answer must take the same time, and fail the
/// same way, whether the email is registered or not.
fn record_detached(
    state: &AppState,
    owner: Option<i64>,
    event: Event,
    detail: &'static str,
    client: &ClientInfo,
) {
    let Some(user_id) = owner else {
        return;
    };
    let (state, client) = (state.clone(), client.clone());
    tokio::spawn(async move {
        if let Err(error) = security_log::record(&state, user_id, event, detail, &client).await {
            tracing::warn!(?error, "recording a refused sign-in failed");
        }
    });
}

/// Signs `user` in on `session`: its row in the Sessions list, the history entry and, for a
/// browser that never signed in to this account before (no device cookie for it), the mail
/// "New sign-in to your account" to the owner, all in one transaction.
pub async fn sign_in(
    state: &AppState,
    session: &tower_sessions::Session,
    user: &User,
    method: SignInMethod,
    client: &ClientInfo,
    known_browser: bool,
) -> Result<(), AppError> {
    let sign_in = crate::session::SignIn {
        settings: &state.settings,
        method,
        client,
        now: now_unix(),
    };
    let started = crate::session::start(session, user, &sign_in).await?;
    let mut tx = crate::db::begin_write(&state.db).await?;
    started.record(&mut tx).await?;
    security_log::record_in(&mut tx, user.id, Event::SignedIn, method.as_str(), client).await?;
    if !known_browser {
        let what = format!(
            "Your account was signed in to from a browser that has not signed in to it before \
             ({method}). If this was not you, sign it out at {sessions} and change your \
             password.",
            method = method.describe().to_lowercase(),
            sessions = crate::mail::messages::sessions_link(&state.settings),
        );
        crate::mail::notify(
            &mut tx,
            &state.settings,
            user,
            NEW_SIGN_IN_SUBJECT,
            &what,
            client,
        )
        .await?;
    }
    tx.commit().await?;
    state.outbox.wake();
    Ok(())
}

/// The subject of the mail about a sign-in from a new browser.
pub const NEW_SIGN_IN_SUBJECT: &str = "New sign-in to your account";

/// After a password reset the owner has proved the address: untrusted browsers may try again.
pub async fn end_lockout(state: &AppState, email: &str) -> Result<(), AppError> {
    let email = normalize_email(email);
    throttle::clear(&state.db, &format!("streak:{email}")).await?;
    throttle::clear(&state.db, &format!("account:{email}")).await?;
    Ok(())
}
