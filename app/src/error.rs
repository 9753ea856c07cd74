//! The one error type that crosses the wire: every server function returns it, and every page
//! knows how to show it. Messages are written for the person using the product.

use std::collections::BTreeMap;

use crate::codec::JsonText;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// Messages for individual form fields, keyed by the field's `name`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldErrors(pub BTreeMap<String, String>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn single(field: &str, message: impl Into<String>) -> Self {
        let mut errors = Self::new();
        errors.add(field, message);
        errors
    }

    /// Records the first message for a field; later ones for the same field are dropped so
    /// the person sees one actionable message at a time.
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0
            .entry(field.to_owned())
            .or_insert_with(|| message.into());
    }

    /// Collects `Err` results into the map, returning the `Ok` value if there was one.
    pub fn check<T>(&mut self, field: &str, result: Result<T, String>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(message) => {
                self.add(field, message);
                None
            }
        }
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.get(field).map(String::as_str)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok(())` when nothing was recorded, the collected errors otherwise.
    pub fn into_result(self) -> Result<(), AppError> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(AppError::Invalid(self))
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum AppError {
    /// Bad input; each message belongs next to its field.
    #[error("Please correct the highlighted fields.")]
    Invalid(FieldErrors),
    #[error("Please log in to continue.")]
    Unauthorized,
    /// Deliberately the same for an unknown email and a wrong password.
    #[error("Incorrect email or password.")]
    BadCredentials,
    /// Too many wrong passwords or codes.
    #[error("Too many failed attempts. Please wait {} and try again.", minutes_text(*.retry_after_secs))]
    Throttled { retry_after_secs: i64 },
    /// Too many requests of one kind (mails, invitations, checks), right or wrong.
    #[error("Too many requests. Please wait {} and try again.", minutes_text(*.retry_after_secs))]
    RateLimited { retry_after_secs: i64 },
    /// Too many wrong passwords in a row from browsers that never signed in to the account.
    #[error("Too many failed attempts on this account. Sign in from a browser you have used before, or reset your password.")]
    LockedOut,
    /// A sensitive action (linking or removing a device, new recovery codes) after the
    /// last password or code check went stale.
    #[error("For your security, confirm your password to continue.")]
    ReauthRequired,
    /// The password step of a login with two-factor authentication ran out or never happened.
    #[error("Your login timed out. Please log in again.")]
    LoginExpired,
    /// Signed in and allowed to see the thing, but not to change it (a Member editing an
    /// account, an Admin demoting an Owner).
    #[error("{0}")]
    Forbidden(String),
    /// More than any form here sends (the server's body limit).
    #[error("This form is too large to send. Shorten what you entered and try again.")]
    TooLarge,
    #[error("This request came from another site and was refused.")]
    CrossSite,
    #[error("Not found.")]
    NotFound,
    /// Details are logged on the server, never sent.
    #[error("Something went wrong on our side. Please try again.")]
    Internal,
    /// The request never reached our code (network down, server restarting...).
    #[error("Could not reach the server: {0}")]
    Transport(String),
}

fn minutes_text(secs: i64) -> String {
    let minutes = (secs.max(1) + 59) / 60;
    if minutes == 1 {
        "a minute".to_owned()
    } else {
        format!("{minutes} minutes")
    }
}

impl AppError {
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        Self::Invalid(FieldErrors::single(field, message))
    }

    /// The message for one field, if this error has one.
    pub fn field_message(&self, field: &str) -> Option<String> {
        match self {
            Self::Invalid(errors) => errors.get(field).map(str::to_owned),
            _ => None,
        }
    }

    /// What to tell the person where there is no field to put it next to: the field's
    /// message if it has one, else the error's own words.
    pub fn message_for(&self, field: &str) -> String {
        self.field_message(field)
            .unwrap_or_else(|| self.to_string())
    }

    pub fn status_code(&self) -> u16 {
        match self {
            Self::Invalid(_) => 422,
            Self::Unauthorized | Self::BadCredentials => 401,
            Self::Throttled { .. } | Self::RateLimited { .. } | Self::LockedOut => 429,
            Self::CrossSite | Self::ReauthRequired | Self::Forbidden(_) => 403,
            Self::LoginExpired => 401,
            Self::NotFound => 404,
            Self::TooLarge => 413,
            Self::Internal | Self::Transport(_) => 500,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonText;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        Self::Transport(value.to_string())
    }

    /// Also gives a server function's answer the status that fits the error (422, 401, 429...)
    /// instead of Leptos' blanket 500: this runs while the answer is made, where the
    /// response options apply to it.
    fn ser(&self) -> leptos::server_fn::Bytes {
        #[cfg(feature = "ssr")]
        self.set_answer_status();
        <JsonText as leptos::server_fn::Encodes<Self>>::encode(self)
            .unwrap_or_else(|_| leptos::server_fn::Bytes::from_static(b"\"Internal\""))
    }
}

#[cfg(feature = "ssr")]
impl AppError {
    fn set_answer_status(&self) {
        use leptos::prelude::use_context;
        let (Some(response), Some(request)) = (
            use_context::<leptos_axum::ResponseOptions>(),
            use_context::<http::request::Parts>(),
        ) else {
            return;
        };
        // A form posted without JavaScript is answered by Leptos with a redirect back to its
        // page, carrying the error in the address: that status must stay.
        let headers = &request.headers;
        let redirected =
            crate::request::is_plain_post(headers) && headers.contains_key(http::header::REFERER);
        if !redirected {
            if let Ok(status) = http::StatusCode::from_u16(self.status_code()) {
                response.set_status(status);
            }
        }
    }
}

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    fn from(error: sqlx::Error) -> Self {
        tracing::error!(%error, "database error");
        Self::Internal
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throttle_message_rounds_up_to_minutes() {
        let e = AppError::Throttled {
            retry_after_secs: 61,
        };
        assert_eq!(
            e.to_string(),
            "Too many failed attempts. Please wait 2 minutes and try again."
        );
        let e = AppError::Throttled {
            retry_after_secs: 5,
        };
        assert_eq!(
            e.to_string(),
            "Too many failed attempts. Please wait a minute and try again."
        );
    }

    #[test]
    fn a_request_limit_does_not_speak_of_failed_attempts() {
        let e = AppError::RateLimited {
            retry_after_secs: 1800,
        };
        assert_eq!(
            e.to_string(),
            "Too many requests. Please wait 30 minutes and try again."
        );
        assert_eq!(e.status_code(), 429);
    }

    #[test]
    fn first_message_per_field_wins() {
        let mut errors = FieldErrors::new();
        errors.add("email", "Enter your email.");
        errors.add("email", "Something else");
        assert_eq!(errors.get("email"), Some("Enter your email."));
        assert!(errors.into_result().is_err());
    }
}
