//! Adding, listing, deleting and exporting a person's SSH keys.

use chrono::NaiveDate;

use super::parse::parse;
use super::{SshKeyView, TITLE_MAX_CHARS};
use crate::clock::now_unix;
use crate::db::users::User;
use crate::db::{is_unique_violation, ssh_keys};
use crate::display::zone::offset_at;
use crate::error::{AppError, FieldErrors};
use crate::security_log::{self, Event};
use crate::session::ClientInfo;
use crate::state::AppState;

const DUPLICATE: &str = "This key is already in use on an account. Each key can be added once.";

pub struct AddKey {
    pub title: String,
    pub key: String,
    /// `YYYY-MM-DD` from a date field, or empty for no expiry.
    pub expires_on: String,
}

/// Checks every field, then stores the key; nothing is stored unless all of it is valid.
pub async fn add(
    state: &AppState,
    user: &User,
    input: AddKey,
    client: &ClientInfo,
) -> Result<SshKeyView, AppError> {
    let now = now_unix();
    let mut errors = FieldErrors::new();
    let parsed = errors.check("key", parse(&input.key));
    let expiry = errors.check(
        "expires_on",
        parse_expiry(&input.expires_on, &user.preferences.timezone, now),
    );
    let title = match &parsed {
        Some(parsed) => errors.check("title", validate_title(&input.title, &parsed.comment)),
        None => errors
            .check("title", validate_title(&input.title, "x"))
            .map(|_| String::new()),
    };
    if let Some(parsed) = &parsed {
        if ssh_keys::fingerprint_exists(&state.db, &parsed.fingerprint).await? {
            errors.add("key", DUPLICATE);
        }
    }
    let (Some(parsed), Some(expiry), Some(title), true) =
        (parsed, expiry, title, errors.is_empty())
    else {
        return Err(AppError::Invalid(errors));
    };
    let new = ssh_keys::NewKey {
        user_id: user.id,
        title: &title,
        algorithm: &parsed.algorithm,
        bits: i64::from(parsed.bits),
        fingerprint: &parsed.fingerprint,
        public_key: &parsed.openssh,
        now,
        expires_on: expiry.as_ref().map(|(day, _)| day.as_str()),
        expires_at: expiry.as_ref().map(|(_, at)| *at),
    };
    // The key, its log entry and the notification commit together.
    let mut tx = crate::db::begin_write(&state.db).await?;
    let key = match ssh_keys::insert(&mut tx, &new).await {
        Ok(key) => key,
        // Added by someone else between the check and the insert.
        Err(e) if is_unique_violation(&e) => return Err(AppError::field("key", DUPLICATE)),
        Err(e) => return Err(e.into()),
    };
    let detail = format!("\u{201c}{}\u{201d} ({})", key.title, key.fingerprint);
    security_log::record_in(&mut tx, user.id, Event::SshKeyAdded, &detail, client).await?;
    let what = format!(
        "The SSH key \u{201c}{}\u{201d} ({}) was added to your account. It can be used to \
         reach everything your account can.",
        key.title, key.fingerprint
    );
    crate::mail::notify(
        &mut tx,
        &state.settings,
        user,
        "SSH key added",
        &what,
        client,
    )
    .await?;
    tx.commit().await?;
    state.outbox.wake();
    Ok(view(user, key, now))
}

pub async fn list(state: &AppState, user: &User) -> Result<Vec<SshKeyView>, AppError> {
    let now = now_unix();
    Ok(ssh_keys::for_user(&state.db, user.id)
        .await?
        .into_iter()
        .map(|k| view(user, k, now))
        .collect())
}

pub async fn delete(
    state: &AppState,
    user: &User,
    id: i64,
    client: &ClientInfo,
) -> Result<(), AppError> {
    let key = ssh_keys::delete(&state.db, user.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let detail = format!("\u{201c}{}\u{201d} ({})", key.title, key.fingerprint);
    security_log::record(state, user.id, Event::SshKeyRemoved, &detail, client).await?;
    Ok(())
}

/// The user's unexpired keys in `authorized_keys` format, one per line, titled.
pub async fn authorized_keys(state: &AppState, user_id: i64) -> Result<String, AppError> {
    let now = now_unix();
    Ok(ssh_keys::for_user(&state.db, user_id)
        .await?
        .into_iter()
        .filter(|k| !is_expired(k.expires_at, now))
        .map(|k| format!("{} {}\n", k.public_key, k.title))
        .collect())
}

fn is_expired(expires_at: Option<i64>, now: i64) -> bool {
    expires_at.is_some_and(|at| at <= now)
}

fn view(user: &User, key: ssh_keys::SshKey, now: i64) -> SshKeyView {
    let prefs = &user.preferences;
    SshKeyView {
        id: key.id,
        title: key.title,
        algorithm: key.algorithm,
        bits: key.bits,
        fingerprint: key.fingerprint,
        added_on: prefs.show(key.created_at),
        expires_on: key.expires_on.as_deref().and_then(|day| {
            let date = NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()?;
            Some(crate::display::format::format_date(date, prefs.date_format))
        }),
        expired: is_expired(key.expires_at, now),
    }
}

/// A title, or the key's comment when none is typed.
fn validate_title(input: &str, comment: &str) -> Result<String, String> {
    let typed = input.trim();
    let title = if typed.is_empty() { comment } else { typed };
    crate::text::required_line(title, TITLE_MAX_CHARS).map_err(|e| match e {
        crate::text::LineError::Empty => {
            "Enter a title; this key has no comment to use instead.".to_owned()
        }
        other => other.message("title"),
    })
}

/// The chosen day and the moment it ends in the person's time zone; `None` for no expiry.
fn parse_expiry(input: &str, zone: &str, now: i64) -> Result<Option<(String, i64)>, String> {
    let input = input.trim();
    if input.is_empty() {
        return Ok(None);
    }
    let day = NaiveDate::parse_from_str(input, "%Y-%m-%d")
        .map_err(|_| "Enter the date as YYYY-MM-DD, or leave it empty for no expiry.".to_owned())?;
    let next_midnight_utc = day
        .succ_opt()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc().timestamp())
        .ok_or("That date is out of range.")?;
    let ends_at = next_midnight_utc - i64::from(offset_at(zone, next_midnight_utc).unwrap_or(0));
    if ends_at <= now {
        return Err("Choose today or a date in the future.".into());
    }
    Ok(Some((day.format("%Y-%m-%d").to_string(), ends_at)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_default_to_the_comment() {
        assert_eq!(validate_title("  ", "ada@laptop").unwrap(), "ada@laptop");
        assert_eq!(validate_title(" Work ", "ada@laptop").unwrap(), "Work");
        assert!(validate_title("", "").is_err());
        assert!(validate_title(&"x".repeat(101), "").is_err());
        assert!(validate_title("a\nb", "").is_err());
    }

    #[test]
    fn expiry_ends_with_the_chosen_day_in_the_owners_zone() {
        // 2026-11-28 12:00 UTC.
        let now = 1_795_867_200;
        assert_eq!(parse_expiry("", "UTC", now), Ok(None));
        let (day, at) = parse_expiry("2026-12-01", "UTC", now).unwrap().unwrap();
        assert_eq!(day, "2026-12-01");
        assert_eq!(at, 1_796_169_600, "2026-12-02 00:00 UTC");
        let (_, berlin) = parse_expiry("2026-12-01", "Europe/Berlin", now)
            .unwrap()
            .unwrap();
        assert_eq!(
            berlin,
            1_796_169_600 - 3600,
            "midnight in Berlin is 23:00 UTC"
        );
        assert!(
            parse_expiry("2026-11-28", "UTC", now).is_ok(),
            "today is fine"
        );
        assert!(parse_expiry("2026-11-27", "UTC", now)
            .unwrap_err()
            .contains("future"));
        assert!(parse_expiry("28.11.2026", "UTC", now)
            .unwrap_err()
            .contains("YYYY-MM-DD"));
    }
}
