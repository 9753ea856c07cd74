//! Signing up and signing in: validation, storage and the login throttle.

use std::net::IpAddr;

use super::password;
use super::validate::{normalize_email, validate_email};
use crate::db::users::{self, NewUser, User};
use crate::db::{is_unique_violation, throttle};
use crate::error::{AppError, FieldErrors};
use crate::preferences::zone::now_unix;
use crate::profile::validate_name;
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
/// The person, their first account and the verification mail commit together;
/// `email_verified` (sign-up from an invitation link, which was mailed to the address) skips
/// the mail.
pub async fn register(
    state: &AppState,
    input: SignupInput,
    email_verified: bool,
) -> Result<User, AppError> {
    let mut errors = FieldErrors::new();
    let first_name = errors.check("first_name", validate_name("first name", &input.first_name));
    let last_name = errors.check("last_name", validate_name("last name", &input.last_name));
    let email = errors.check("email", validate_email(&input.email));
    let mobile = errors.check("mobile", super::validate::validate_mobile(&input.mobile));
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
    let mut tx = state.db.begin().await?;
    let inserted = users::insert(&mut tx, &new_user).await;
    match inserted {
        Ok(user) => {
            if !email_verified {
                crate::email_verification::service::issue_in(&mut tx, state, &user).await?;
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

/// Checks an email and password. Throttled per account (every attempt counts until one
/// succeeds) and per client address (failures count); the answer is the same whether or not
/// the email is registered, in words and in time.
pub async fn authenticate(
    state: &AppState,
    email: &str,
    password: String,
    addr: Option<IpAddr>,
) -> Result<User, AppError> {
    let settings = &state.settings;
    let db = &state.db;
    let now = now_unix();
    let window = settings.login_window_secs;
    let email = normalize_email(email);
    let account_key = format!("account:{email}");
    let addr_key = addr.map(|a| format!("addr:{a}"));

    if let Some(key) = &addr_key {
        if let Some((failures, start)) = throttle::current(db, key, now, window).await? {
            if failures >= settings.login_failures_per_address {
                return Err(AppError::Throttled {
                    retry_after_secs: start + window - now,
                });
            }
        }
    }
    let (attempts, start) = throttle::hit(db, &account_key, now, window).await?;
    if attempts > settings.login_attempts_per_account {
        return Err(AppError::Throttled {
            retry_after_secs: start + window - now,
        });
    }

    // Longer than any password we accept: refuse without spending a hash on it.
    if password.chars().count() > password::MAX_CHARS {
        return Err(AppError::BadCredentials);
    }
    let user = users::find_by_email(db, &email).await?;
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
            Ok(user)
        }
        _ => {
            if let Some(key) = &addr_key {
                throttle::hit(db, key, now, window).await?;
            }
            Err(AppError::BadCredentials)
        }
    }
}
