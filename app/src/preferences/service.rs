//! Validating and storing display preferences.

use crate::db::{users, Db};
use crate::display::format::{DateFormat, TimeFormat};
use crate::display::{zone, Preferences};
use crate::error::{AppError, FieldErrors};

/// Checks the three choices against what the product knows: an IANA zone from chrono-tz and
/// formats from the fixed lists. Nothing typed by a person reaches a formatter.
pub fn validate(
    timezone: &str,
    date_format: &str,
    time_format: &str,
) -> Result<Preferences, AppError> {
    let mut errors = FieldErrors::new();
    let timezone = timezone.trim();
    if timezone.is_empty() {
        errors.add("timezone", "Choose a time zone.");
    } else if !zone::is_known_zone(timezone) {
        errors.add("timezone", format!("\u{201c}{}\u{201d} is not a time zone we know. Pick one from the list, e.g. Europe/Berlin.", truncate(timezone, 64)));
    }
    let date = DateFormat::from_id(date_format.trim());
    if date.is_none() {
        errors.add("date_format", "Choose one of the listed date formats.");
    }
    let time = TimeFormat::from_id(time_format.trim());
    if time.is_none() {
        errors.add("time_format", "Choose one of the listed time formats.");
    }
    match (errors.is_empty(), date, time) {
        (true, Some(date_format), Some(time_format)) => Ok(Preferences {
            timezone: timezone.to_owned(),
            date_format,
            time_format,
        }),
        _ => Err(AppError::Invalid(errors)),
    }
}

fn truncate(s: &str, max_chars: usize) -> String {
    s.chars().take(max_chars).collect()
}

pub async fn save(
    db: &Db,
    user_id: i64,
    timezone: &str,
    date_format: &str,
    time_format: &str,
) -> Result<Preferences, AppError> {
    let prefs = validate(timezone, date_format, time_format)?;
    users::update_preferences(db, user_id, &prefs).await?;
    Ok(prefs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_zone_and_listed_formats_are_accepted() {
        let p = validate(" Europe/Berlin ", "dd.mm.yyyy", "12h").unwrap();
        assert_eq!(p.timezone, "Europe/Berlin");
        assert_eq!(p.date_format, DateFormat::DayMonthYearDot);
        assert_eq!(p.time_format, TimeFormat::H12);
    }

    #[test]
    fn unknown_zone_and_formats_get_a_message_per_field() {
        let err = validate("Mars/Phobos", "%Y-%Q", "%H").unwrap_err();
        assert!(err
            .field_message("timezone")
            .unwrap()
            .contains("Mars/Phobos"));
        assert_eq!(
            err.field_message("date_format").unwrap(),
            "Choose one of the listed date formats."
        );
        assert_eq!(
            err.field_message("time_format").unwrap(),
            "Choose one of the listed time formats."
        );
        assert_eq!(
            validate("", "iso", "24h")
                .unwrap_err()
                .field_message("timezone")
                .unwrap(),
            "Choose a time zone."
        );
    }
}
