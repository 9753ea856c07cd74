//! User Settings: first and last name (editable), email and mobile number (shown, never
//! changed here).

mod page;
#[cfg(feature = "ssr")]
pub mod service;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::caller::Caller;
use crate::error::AppError;
pub use page::UserSettingsPage;

pub use crate::text::NAME_MAX_CHARS;

/// Trimmed, required, at most [`NAME_MAX_CHARS`] characters, no control characters.
/// `what` is the field as a person calls it ("first name").
pub fn validate_name(what: &str, value: &str) -> Result<String, String> {
    use crate::text::LineError;
    crate::text::required_line(value, NAME_MAX_CHARS).map_err(|e| match e {
        LineError::Empty => format!("Enter your {what}."),
        LineError::TooLong { max, entered } => {
            format!("Use at most {max} characters for your {what} ({entered} entered).")
        }
        other => other.message(what),
    })
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileData {
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub mobile: String,
    /// Already formatted in the person's time zone and formats.
    pub member_since: String,
    pub password_changed: String,
}

#[server(endpoint = "profile", output = crate::codec::Json)]
pub async fn get_profile() -> Result<ProfileData, AppError> {
    let caller = Caller::signed_in().await?;
    Ok(service::profile_data(&caller.user))
}

/// Takes only the two names: whatever else a request carries (say `email=`) is not an
/// argument here and never reaches the database.
#[server(endpoint = "profile/save", output = crate::codec::Json)]
pub async fn save_profile(first_name: String, last_name: String) -> Result<(), AppError> {
    let caller = Caller::signed_in().await?;
    service::update_name(&caller.state.db, caller.user.id, &first_name, &last_name).await?;
    crate::ui::confirm_plain_post("profile");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_required_and_capped() {
        assert_eq!(validate_name("first name", "  Ada ").unwrap(), "Ada");
        assert_eq!(
            validate_name("first name", "   ").unwrap_err(),
            "Enter your first name."
        );
        assert!(validate_name("last name", &"x".repeat(100)).is_ok());
        assert_eq!(
            validate_name("last name", &"x".repeat(101)).unwrap_err(),
            "Use at most 100 characters for your last name (101 entered)."
        );
        assert!(validate_name("last name", "Love\nlace").is_err());
        assert_eq!(
            validate_name("first name", "Ada\u{202e}").unwrap_err(),
            "The first name cannot contain characters that change the direction of text (such as U+202E)."
        );
    }
}
